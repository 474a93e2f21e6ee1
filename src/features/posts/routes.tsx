import { Hono } from 'hono'
import type { AppEnv } from '../../env'
import { cursorFrom } from '../../lib/cursor'
import { setFlash } from '../../lib/flash'
import { readForm, validateForm } from '../../lib/forms'
import { isHtmxFragmentRequest } from '../../lib/htmx'
import { detectPostLanguage } from '../../lib/language-detect'
import { requireUser } from '../../middleware/session'
import { PostPage } from '../../views/components'
import { listFollowerIds } from '../follows/queries'
import { LIVE_FANOUT_MAX, notifyLater } from '../live/notify'
import { createPost, listExplorePosts, listHomeTimeline } from './queries'
import { postSchema } from './schemas'
import { ExplorePage, HomePage, PostCreated, PostForm } from './views'

export const postsRoutes = new Hono<AppEnv>()

postsRoutes.get('/', requireUser, async (c) => {
  const { db, t, lang } = c.var
  const user = c.var.user!
  const page = await listHomeTimeline(db, user.id, { before: cursorFrom(c) })
  c.header('Vary', 'HX-Request')
  if (isHtmxFragmentRequest(c)) {
    return c.html(<PostPage posts={page.items} next={page.next} baseUrl="/" t={t} lang={lang} />)
  }
  return c.render(<HomePage t={t} lang={lang} page={page} username={user.username} />, {
    title: t('home.title'),
  })
})

postsRoutes.post('/', requireUser, async (c) => {
  const { db, t, lang } = c.var
  const user = c.var.user!
  const form = await readForm(c.req)
  const parsed = validateForm(postSchema, form)
  const htmx = isHtmxFragmentRequest(c)
  c.header('Vary', 'HX-Request')

  if (!parsed.ok) {
    const error = t(parsed.errors.body ?? 'forms.invalid')
    c.status(422)
    if (htmx) return c.html(<PostForm t={t} value={form.body ?? ''} error={error} />)
    const page = await listHomeTimeline(db, user.id, { before: null })
    return c.render(
      <HomePage t={t} lang={lang} page={page} username={user.username} value={form.body ?? ''} error={error} />,
      { title: t('home.title') },
    )
  }

  const body = parsed.data.body
  const post = await createPost(db, user, body, detectPostLanguage(body))
  // Followers' open home timelines show "N new posts". The follower list is read after the
  // response; past LIVE_FANOUT_MAX followers the rest see the post on their next page load.
  notifyLater(c, async () =>
    (await listFollowerIds(db, user.id, LIVE_FANOUT_MAX)).map((userId) => ({ userId, event: { type: 'post' } })),
  )
  if (htmx) return c.html(<PostCreated t={t} lang={lang} post={post} />)
  setFlash(c, 'posts.live')
  return c.redirect('/', 303)
})

postsRoutes.get('/explore', async (c) => {
  const { db, t, lang } = c.var
  const page = await listExplorePosts(db, { before: cursorFrom(c) })
  c.header('Vary', 'HX-Request')
  if (isHtmxFragmentRequest(c)) {
    return c.html(<PostPage posts={page.items} next={page.next} baseUrl="/explore" t={t} lang={lang} />)
  }
  return c.render(<ExplorePage t={t} lang={lang} page={page} />, { title: t('explore.title') })
})
