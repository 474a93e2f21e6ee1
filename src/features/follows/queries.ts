import { and, desc, eq, gte, inArray, isNull, sql } from 'drizzle-orm'
import { memberIdSql, memberIdValues, memberKind, type MemberKind, type MemberRef } from '../../db/member'
import { bind, prepareOnce, runStatement, type Statement } from '../../db/read'
import type { Db } from '../../db/client'
import { follows, posts, timelineEntries, users } from '../../db/schema'

const isFollowingQuery = prepareOnce((db, follower: MemberKind, followed: MemberKind) =>
  db
    .select({ one: sql<number>`1`.as('one') })
    .from(follows)
    .where(
      and(
        eq(follows.followerId, memberIdSql(follower, 'follower')),
        eq(follows.followedId, memberIdSql(followed, 'followed')),
      ),
    )
    .limit(1)
    .prepare(),
)

/** Whether `follower` follows `followed` (the profile page: the session's member and a username). */
export function isFollowingRead(db: Db, follower: MemberRef, followed: MemberRef): Statement<boolean> {
  return bind(
    db,
    isFollowingQuery(db, memberKind(follower), memberKind(followed)),
    { ...memberIdValues(follower, 'follower'), ...memberIdValues(followed, 'followed') },
    (rows) => rows.length > 0,
  )
}

export const isFollowing = (db: Db, followerId: number, followedId: number) =>
  runStatement(isFollowingRead(db, { id: followerId }, { id: followedId }))

/**
 * Ids of a member's followers seen since `seenSince` (epoch ms, their `last_seen_at`), newest
 * follows first, at most `limit`. Used to tell their live hubs about a new post, after the
 * response: each id wakes one Durable Object, so followers who have not loaded a page lately
 * (no open tab to push to) are not woken at all.
 */
export async function listFollowerIds(db: Db, userId: number, limit: number, seenSince = 0): Promise<number[]> {
  const rows = await db
    .select({ id: follows.followerId })
    .from(follows)
    .innerJoin(users, eq(users.id, follows.followerId))
    .where(and(eq(follows.followedId, userId), gte(users.lastSeenAt, seenSince), isNull(users.deletedAt)))
    .orderBy(desc(follows.createdAt))
    .limit(limit)
  return rows.map((row) => row.id)
}

/** How many of a member's posts a new follow copies into the follower's timeline. */
export const FOLLOW_COPY_LIMIT = 500

// D1 runs a batch's statements in order, in one transaction, on one connection, so SQLite's
// `changes()` in a statement is the number of rows the statement before it changed. Each
// statement after the edge insert/delete is gated on `changes() = 1` and changes exactly one
// row itself when it runs, so the gate passes down the chain: when the edge did not change
// (a second follow, an unfollow of someone not followed), nothing else is written at all.
const edgeChanged = sql`changes() = 1`

/**
 * Follows someone, atomically: the edge, both counters (+1), and the newest
 * `FOLLOW_COPY_LIMIT` of their posts copied into the follower's timeline (older ones are on
 * their profile). Following someone already followed writes nothing. Says whether the edge
 * was created.
 */
export async function followUser(
  db: Db,
  followerId: number,
  followedId: number,
  now = Date.now(),
): Promise<{ created: boolean }> {
  const [edge] = await db.batch([
    db.insert(follows).values({ followerId, followedId, createdAt: now }).onConflictDoNothing(),
    db
      .update(users)
      .set({ followerCount: sql`${users.followerCount} + 1` })
      .where(and(eq(users.id, followedId), edgeChanged)),
    db
      .update(users)
      .set({ followingCount: sql`${users.followingCount} + 1` })
      .where(and(eq(users.id, followerId), edgeChanged)),
    db
      .insert(timelineEntries)
      .select(
        db
          .select({
            ownerId: sql<number>`${followerId}`.as('owner_id'),
            createdAt: posts.createdAt,
            postId: posts.id,
            authorId: posts.userId,
          })
          .from(posts)
          .where(and(eq(posts.userId, followedId), edgeChanged))
          .orderBy(desc(posts.createdAt), desc(posts.id))
          .limit(FOLLOW_COPY_LIMIT),
      )
      .onConflictDoNothing(),
  ])
  return { created: edge.meta.changes === 1 }
}

/**
 * Unfollows, atomically: the edge, both counters (−1, only when there was an edge), and their
 * posts out of the follower's timeline. Says whether an edge was removed.
 */
export async function unfollowUser(db: Db, followerId: number, followedId: number): Promise<{ removed: boolean }> {
  const [edge] = await db.batch([
    db.delete(follows).where(and(eq(follows.followerId, followerId), eq(follows.followedId, followedId))),
    db
      .update(users)
      .set({ followerCount: sql`max(${users.followerCount} - 1, 0)` })
      .where(and(eq(users.id, followedId), edgeChanged)),
    db
      .update(users)
      .set({ followingCount: sql`max(${users.followingCount} - 1, 0)` })
      .where(and(eq(users.id, followerId), edgeChanged)),
    // Not gated: removing entries that are not there writes nothing.
    db
      .delete(timelineEntries)
      .where(and(eq(timelineEntries.ownerId, followerId), eq(timelineEntries.authorId, followedId))),
  ])
  return { removed: edge.meta.changes === 1 }
}

/** How many of the newest posts "Who to follow" looks at for active members. */
const RECENT_POSTS_FOR_SUGGESTIONS = 30

export type Suggestion = { id: number; username: string; email: string; aboutMe: string }

/**
 * "Who to follow": up to `limit` members who posted lately, not the viewer and not already
 * followed. Three small reads whose cost does not grow with the site: the authors of the
 * newest RECENT_POSTS_FOR_SUGGESTIONS posts (one `posts_created_idx` range), which of
 * them the viewer follows (`follows` primary key), then up to `limit` members by id.
 */
export async function listWhoToFollow(db: Db, viewerId: number, limit = 5): Promise<Suggestion[]> {
  const recent = await db
    .select({ id: posts.userId })
    .from(posts)
    .orderBy(desc(posts.createdAt), desc(posts.id))
    .limit(RECENT_POSTS_FOR_SUGGESTIONS)
  const ids = [...new Set(recent.map((row) => row.id))].filter((id) => id !== viewerId)
  if (ids.length === 0) return []
  const followed = await listFollowedAmong(db, viewerId, ids)
  const candidates = ids.filter((id) => !followed.has(id)).slice(0, limit)
  if (candidates.length === 0) return []
  const rows = await db
    .select({ id: users.id, username: users.username, email: users.email, aboutMe: users.aboutMe })
    .from(users)
    .where(and(inArray(users.id, candidates), isNull(users.deletedAt)))
  // Most recently active first, as the posts were read.
  return candidates.flatMap((id) => rows.filter((row) => row.id === id))
}

/** Which of `ids` (one page of a list, ≤ 25) the viewer follows. */
export async function listFollowedAmong(db: Db, viewerId: number, ids: number[]): Promise<Set<number>> {
  if (ids.length === 0) return new Set()
  const rows = await db
    .select({ id: follows.followedId })
    .from(follows)
    .where(and(eq(follows.followerId, viewerId), inArray(follows.followedId, ids)))
  return new Set(rows.map((row) => row.id))
}
