import { Hono } from 'hono'
import type { AppEnv } from '../../env'
import { pagingFrom } from '../../middleware/paging'
import { setFlash } from '../../middleware/flash'
import { readForm, validateForm } from '../../lib/forms'
import { isHtmxFragmentRequest } from '../../middleware/htmx'
import { avatarUrl } from '../../lib/gravatar'
import { HttpError } from '../../lib/http-error'
import { deferSession, requireUser, withSessionBatch } from '../../middleware/session'
import { PostPage } from '../../views/components'
import { isFollowing, isFollowingRead } from '../follows/queries'
import { userPostsRead } from '../posts/queries'
import { getUserByUsername, updateProfile, userByUsernameRead } from './queries'
import { profileSchema } from './schemas'
import { ErrorFragment } from '../../views/errors'
import { EditProfilePage, ProfilePage, UserPopup } from './views'

export const usersRoutes = new Hono<AppEnv>()

// One D1 round trip: the session, the member, their posts and the Follow state in one batch.
usersRoutes.get('/user/:username', deferSession, async (c) => {
  const name = c.req.param('username')
  const paging = pagingFrom(c)
  // c.get, not c.var: hono builds a copy of every variable on each `c.var` access.
  const db = c.get('db')
  const [user, page, followingThem] = await withSessionBatch(c, (me) => [
    userByUsernameRead(db, name),
    userPostsRead(db, { username: name }, paging),
    me ? isFollowingRead(db, me, { username: name }) : null,
  ])
  if (!user) throw new HttpError(404, 'errors.userNotFound')
  const t = c.get('t')
  const lang = c.get('lang')
  const viewer = c.get('user')
  const following = viewer && viewer.id !== user.id ? Boolean(followingThem) : false
  c.header('Vary', 'HX-Request')
  if (isHtmxFragmentRequest(c)) {
    const baseUrl = `/user/${encodeURIComponent(user.username)}`
    return c.html(
      <PostPage posts={page.items} next={page.next} baseUrl={baseUrl} t={t} lang={lang} viewerId={viewer?.id} />,
    )
  }
  return c.render(<ProfilePage t={t} lang={lang} user={user} viewer={viewer} following={following} page={page} />, {
    title: user.username,
    meta: {
      description: user.aboutMe || t('profile.description', { username: user.username }),
      path: `/user/${encodeURIComponent(user.username)}`,
      image: avatarUrl(user.email, 256),
      type: 'profile',
    },
  })
})

/**
 * The user popup: always a fragment (only popups.js asks for it). Public like profiles.
 * Anonymous readers all get the same card, so shared caches may keep it for 30 s; a
 * member's copy carries their Follow state and stays private. Vary: Cookie keeps the two
 * apart (the session and the language cookie), Accept-Language the visitors' languages.
 */
usersRoutes.get('/user/:username/popup', async (c) => {
  const { db, t, lang } = c.var
  const viewer = c.var.user
  c.header('Vary', 'Cookie, Accept-Language')
  c.header('Cache-Control', viewer ? 'private, no-cache' : 'public, max-age=30')
  const user = await getUserByUsername(db, c.req.param('username'))
  if (!user) {
    c.status(404)
    return c.html(<ErrorFragment status={404} t={t} message={t('errors.userNotFound')} />)
  }
  const following = viewer && viewer.id !== user.id ? await isFollowing(db, viewer.id, user.id) : false
  return c.html(<UserPopup t={t} lang={lang} user={user} viewer={viewer} following={following} />)
})

usersRoutes.get('/settings/profile', requireUser, (c) => {
  const { t } = c.var
  const user = c.var.user!
  return c.render(
    <EditProfilePage t={t} values={{ username: user.username, about_me: user.aboutMe }} profileName={user.username} />,
    {
      title: t('profile.editTitle'),
    },
  )
})

usersRoutes.post('/settings/profile', requireUser, async (c) => {
  const { t, db } = c.var
  const user = c.var.user!
  const form = await readForm(c.req)
  const values = { username: (form.username ?? '').trim(), about_me: form.about_me ?? '' }
  const again = (errors: Parameters<typeof EditProfilePage>[0]['errors']) => {
    c.status(422)
    return c.render(<EditProfilePage t={t} values={values} errors={errors} profileName={user.username} />, {
      title: t('profile.editTitle'),
    })
  }
  const parsed = validateForm(profileSchema, form)
  if (!parsed.ok) return again(parsed.errors)
  const result = await updateProfile(db, user.id, { username: parsed.data.username, aboutMe: parsed.data.about_me })
  if (!result.ok) return again({ username: 'auth.usernameTaken' })
  setFlash(c, 'profile.saved')
  return c.redirect(`/user/${encodeURIComponent(parsed.data.username)}`, 303)
})

// The tutorial's address for the same page.
usersRoutes.get('/edit-profile', (c) => c.redirect('/settings/profile', 301))
