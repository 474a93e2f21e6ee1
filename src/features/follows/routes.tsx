import { Hono, type Context } from 'hono'
import type { AppEnv } from '../../env'
import { setFlash } from '../../middleware/flash'
import { isHtmxFragmentRequest } from '../../middleware/htmx'
import { HttpError } from '../../lib/http-error'
import { referringPath } from '../../lib/referring-page'
import { safeNext } from '../../lib/safe-next'
import { runtimeOf } from '../../middleware/runtime'
import { requireUser } from '../../middleware/session'
import { getUserByUsername, listFollowers, listFollowing } from '../users/queries'
import { ProfileStats, UserListItems, UserListPage } from '../users/views'
import { cursorFrom } from '../../middleware/paging'
import { followMember, unfollowMember, type FollowOutcome } from './actions'
import { listFollowedAmong } from './queries'
import { FollowButton } from './views'

export const followsRoutes = new Hono<AppEnv>()

followsRoutes.post('/follow/:username', requireUser, async (c) => {
  const outcome = await followMember(c.var.db, runtimeOf(c), c.var.user!, { username: c.req.param('username') })
  return answerFollow(c, 'follow', outcome)
})

followsRoutes.post('/unfollow/:username', requireUser, async (c) => {
  const outcome = await unfollowMember(c.var.db, runtimeOf(c), c.var.user!, { username: c.req.param('username') })
  return answerFollow(c, 'unfollow', outcome)
})

/** The answer to a Follow/Unfollow button: htmx gets the new button and counts, a form a redirect. */
function answerFollow(c: Context<AppEnv>, action: 'follow' | 'unfollow', outcome: FollowOutcome) {
  const { t } = c.var
  if (!outcome.ok) {
    if (outcome.error === 'rate-limited') throw new HttpError(429, 'errors.tooMany.text', outcome.retryAfter)
    if (outcome.error === 'yourself') throw new HttpError(400, 'follows.notYourself')
    throw new HttpError(404, 'errors.userNotFound')
  }
  const member = outcome.member
  const profileUrl = `/user/${encodeURIComponent(member.username)}`
  if (isHtmxFragmentRequest(c)) {
    // From a user popup: that popup's button and counts (they have their own ids).
    const popup = c.req.query('in') === 'popup'
    return c.html(
      <>
        <FollowButton
          t={t}
          username={member.username}
          userId={member.id}
          following={action === 'follow'}
          popup={popup}
        />
        <ProfileStats t={t} user={member} oob popup={popup} />
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
