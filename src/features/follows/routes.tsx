import { Hono, type Context } from 'hono'
import type { User } from '../../db/schema'
import type { AppEnv } from '../../env'
import { setFlash } from '../../middleware/flash'
import { isHtmxFragmentRequest } from '../../middleware/htmx'
import { HttpError } from '../../lib/http-error'
import { hitRateLimit, type RateLimitRule } from '../../lib/rate-limit'
import { referringPath } from '../../lib/referring-page'
import { safeNext } from '../../lib/safe-next'
import { requireUser } from '../../middleware/session'
import { getUserById, getUserByUsername, listFollowers, listFollowing } from '../users/queries'
import { ProfileStats, UserListItems, UserListPage } from '../users/views'
import { cursorFrom } from '../../middleware/paging'
import { notifyLater } from '../live/notify'
import { runtimeOf } from '../../middleware/runtime'
import { followUser, listFollowedAmong, unfollowUser } from './queries'
import { FollowButton } from './views'

export const followsRoutes = new Hono<AppEnv>()

/** Follows and unfollows per member: each one writes timeline rows, so toggling is bounded. */
export const FOLLOW_LIMIT = { limit: 60, windowMs: 10 * 60 * 1000 } satisfies RateLimitRule

const statsOf = (user: User) => ({
  id: user.id,
  username: user.username,
  postCount: user.postCount,
  followerCount: user.followerCount,
  followingCount: user.followingCount,
})

followsRoutes.post('/follow/:username', requireUser, (c) => changeFollow(c, 'follow'))
followsRoutes.post('/unfollow/:username', requireUser, (c) => changeFollow(c, 'unfollow'))

/** Follow or unfollow from a button: htmx gets the new button and counts, a form a redirect. */
async function changeFollow(c: Context<AppEnv>, action: 'follow' | 'unfollow') {
  const { db, t } = c.var
  const viewer = c.var.user!
  const limit = await hitRateLimit(db, `follow:user:${viewer.id}`, FOLLOW_LIMIT)
  if (limit.limited) throw new HttpError(429, 'errors.tooMany.text', limit.retryAfterSeconds)
  const target = await getUserByUsername(db, c.req.param('username') ?? '')
  if (!target) throw new HttpError(404, 'errors.userNotFound')
  if (target.id === viewer.id) throw new HttpError(400, 'follows.notYourself')

  if (action === 'follow') await followUser(db, viewer.id, target.id)
  else await unfollowUser(db, viewer.id, target.id)
  // The followed member's own profile, if open, shows the new follower count.
  notifyLater(runtimeOf(c), async () => {
    const updated = await getUserById(db, target.id)
    return updated ? [{ userId: target.id, event: { type: 'stats', user: statsOf(updated) } }] : []
  })

  const profileUrl = `/user/${encodeURIComponent(target.username)}`
  if (isHtmxFragmentRequest(c)) {
    const updated = (await getUserById(db, target.id)) ?? target
    // From a user popup: that popup's button and counts (they have their own ids).
    const popup = c.req.query('in') === 'popup'
    return c.html(
      <>
        <FollowButton
          t={t}
          username={target.username}
          userId={target.id}
          following={action === 'follow'}
          popup={popup}
        />
        <ProfileStats t={t} user={updated} oob popup={popup} />
      </>,
    )
  }
  setFlash(c, action === 'follow' ? 'follows.followed' : 'follows.unfollowed')
  // Back to the page the button was on (a followers list, the home page's suggestions),
  // else to the profile.
  const from = referringPath(c.req.url, { referer: c.req.header('Referer') })
  return c.redirect(from ? safeNext(from) : profileUrl, 303)
}

followsRoutes.get('/user/:username/followers', (c) => showFollowList(c, 'followers'))
followsRoutes.get('/user/:username/following', (c) => showFollowList(c, 'following'))

/** A member's followers or the people they follow, a page at a time. */
async function showFollowList(c: Context<AppEnv>, kind: 'followers' | 'following') {
  const { db, t } = c.var
  const user = await getUserByUsername(db, c.req.param('username') ?? '')
  if (!user) throw new HttpError(404, 'errors.userNotFound')
  const before = cursorFrom(c)
  const page = await (kind === 'followers' ? listFollowers : listFollowing)(db, user.id, { before })
  // A member gets a Follow/Unfollow button beside each person: one query for the page.
  const viewer = c.var.user
  const followed = viewer
    ? await listFollowedAmong(
        db,
        viewer.id,
        page.items.map((item) => item.id),
      )
    : new Set<number>()
  const buttons = { viewerId: viewer?.id, followed }
  c.header('Vary', 'HX-Request')
  if (isHtmxFragmentRequest(c)) {
    const baseUrl = `/user/${encodeURIComponent(user.username)}/${kind}`
    return c.html(<UserListItems t={t} page={page} baseUrl={baseUrl} {...buttons} />)
  }
  const title =
    kind === 'followers'
      ? t('follows.followersOf', { username: user.username })
      : t('follows.followingOf', { username: user.username })
  return c.render(<UserListPage t={t} user={user} kind={kind} page={page} {...buttons} />, { title })
}
