import type { Db } from '../../db/client'
import type { MemberRef } from '../../db/member'
import type { User } from '../../db/schema'
import { hitRateLimit, type RateLimitRule } from '../../middleware/rate-limit'
import type { Runtime } from '../../middleware/runtime'
import { notifyMembers } from '../live/notify'
import { getMemberById, getUserById, getUserByUsername } from '../users/queries'
import { statsEvent } from '../users/views'
import { followUser, unfollowUser } from './queries'

// Following and unfollowing, the same from a profile's button and from the API.

/** Follows and unfollows per member: each one writes timeline rows, so toggling is bounded. */
export const FOLLOW_LIMIT = { limit: 60, windowMs: 10 * 60 * 1000 } satisfies RateLimitRule

/** The member to follow as each door names them: the site by username, the API by id. */
type Named = Extract<MemberRef, { username: string } | { id: number }>

export type FollowOutcome =
  /** The followed (or unfollowed) member with their new counts. */
  | { ok: true; member: User }
  | { ok: false; error: 'rate-limited'; retryAfter: number }
  | { ok: false; error: 'not-found' | 'yourself' }

/** Follows `target` (following twice changes nothing); their open profile gets the new counts. */
export function followMember(db: Db, runtime: Runtime, follower: User, target: Named): Promise<FollowOutcome> {
  return changeFollow(db, runtime, follower, target, 'follow')
}

/** Unfollows `target` (their posts leave the follower's timeline); their open profile gets the new counts. */
export function unfollowMember(db: Db, runtime: Runtime, follower: User, target: Named): Promise<FollowOutcome> {
  return changeFollow(db, runtime, follower, target, 'unfollow')
}

async function changeFollow(
  db: Db,
  runtime: Runtime,
  me: User,
  target: Named,
  change: 'follow' | 'unfollow',
): Promise<FollowOutcome> {
  // Counted before the look-up: probing names costs the same budget as toggling.
  const limit = await hitRateLimit(db, `follow:user:${me.id}`, FOLLOW_LIMIT)
  if (limit.limited) return { ok: false, error: 'rate-limited', retryAfter: limit.retryAfterSeconds }
  const member = 'id' in target ? await getMemberById(db, target.id) : await getUserByUsername(db, target.username)
  if (!member) return { ok: false, error: 'not-found' }
  if (member.id === me.id) return { ok: false, error: 'yourself' }

  if (change === 'follow') await followUser(db, me.id, member.id)
  else await unfollowUser(db, me.id, member.id)
  const updated = (await getUserById(db, member.id)) ?? member
  const { id, username, postCount, followerCount, followingCount } = updated
  // The member's own profile, if open, shows the new follower count.
  notifyMembers(runtime, [
    { userId: id, event: statsEvent({ id, username, postCount, followerCount, followingCount }) },
  ])
  return { ok: true, member: updated }
}
