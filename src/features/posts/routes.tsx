import { Hono, type Context } from 'hono'
import type { AppEnv } from '../../env'
import { pagingFrom } from '../../middleware/paging'
import { setFlash } from '../../middleware/flash'
import { readForm, validateForm } from '../../lib/forms'
import { isHtmx, isHtmxFragmentRequest } from '../../middleware/htmx'
import { HttpError } from '../../lib/http-error'
import { parsePathId } from '../../lib/path-id'
import { referringPath } from '../../lib/referring-page'
import { safeNext } from '../../lib/safe-next'
import { avatarUrl } from '../../lib/gravatar'
import { runtimeOf } from '../../middleware/runtime'
import { deferSession, requireUser, toLogin, withSessionBatch } from '../../middleware/session'
import { PostPage } from '../../views/components'
import { listWhoToFollow } from '../follows/queries'
import { deleteOwnPost, publishPost } from './actions'
import { exploreRead, getPostById, homeTimelineRead, listHomeTimeline, postByIdRead } from './queries'
import { formKeySchema, postSchema } from './schemas'
import { WhoToFollow } from '../follows/views'
import { DeleteConfirmPage, ExplorePage, HomePage, PostCreated, PostForm, PostPageView } from './views'

export const postsRoutes = new Hono<AppEnv>()

// One D1 round trip: the session and the timeline page in one batch (deferSession).
postsRoutes.get('/', deferSession, requireUser, async (c) => {
  const paging = pagingFrom(c)
  const db = c.get('db')
  const [page] = await withSessionBatch(c, (me) => [me ? homeTimelineRead(db, me, paging) : null])
  const user = c.get('user')
  if (!user || !page) return toLogin(c)
  // c.get, not c.var: hono builds a copy of every variable on each `c.var` access.
  const t = c.get('t')
  const lang = c.get('lang')
  c.header('Vary', 'HX-Request')
  if (isHtmxFragmentRequest(c)) {
    return c.html(<PostPage posts={page.items} next={page.next} baseUrl="/" t={t} lang={lang} viewerId={user.id} />)
  }
  // Suggestions are read here only for an empty timeline; otherwise htmx loads them.
  const suggestions = page.items.length === 0 ? await listWhoToFollow(db, user.id) : []
  return c.render(
    <HomePage t={t} lang={lang} page={page} username={user.username} viewerId={user.id} suggestions={suggestions} />,
    {
      title: t('home.title'),
    },
  )
})

postsRoutes.post('/', requireUser, async (c) => {
  const { db, t, lang } = c.var
  const user = c.var.user!
  const form = await readForm(c.req)
  const parsed = validateForm(postSchema, form)
  const key = formKeySchema.safeParse(form.form_key || undefined)
  const htmx = isHtmxFragmentRequest(c)
  c.header('Vary', 'HX-Request')

  if (!parsed.ok || !key.success) {
    const error = t((parsed.ok ? undefined : parsed.errors.body) ?? 'forms.invalid')
    c.status(422)
    if (htmx) return c.html(<PostForm t={t} value={form.body ?? ''} error={error} />)
    const page = await listHomeTimeline(db, user.id, { before: null })
    const suggestions = page.items.length === 0 ? await listWhoToFollow(db, user.id) : []
    return c.render(
      <HomePage
        t={t}
        lang={lang}
        page={page}
        username={user.username}
        viewerId={user.id}
        suggestions={suggestions}
        value={form.body ?? ''}
        error={error}
      />,
      { title: t('home.title') },
    )
  }

  // An old form without a key is never a repeat.
  const formKey = key.data ?? crypto.randomUUID()
  const { post, duplicate } = await publishPost(db, runtimeOf(c), user, { body: parsed.data.body, formKey })
  if (htmx) return c.html(<PostCreated t={t} lang={lang} post={post} duplicate={duplicate} />)
  setFlash(c, 'posts.live')
  return c.redirect('/', 303)
})

postsRoutes.get('/explore', deferSession, async (c) => {
  const [page] = await withSessionBatch(c, () => [exploreRead(c.get('db'), pagingFrom(c))])
  const t = c.get('t')
  const lang = c.get('lang')
  const viewerId = c.get('user')?.id
  c.header('Vary', 'HX-Request')
  if (isHtmxFragmentRequest(c)) {
    return c.html(
      <PostPage posts={page.items} next={page.next} baseUrl="/explore" t={t} lang={lang} viewerId={viewerId} />,
    )
  }
  return c.render(<ExplorePage t={t} lang={lang} page={page} viewerId={viewerId} />, {
    title: t('explore.title'),
    meta: { description: t('explore.description'), path: '/explore' },
  })
})

/** The numeric id in `:id`, or a 404 (also for ids that are not numbers). */
function postIdFromPath(c: Context<AppEnv>): number {
  const id = parsePathId(c.req.param('id'))
  if (id === null) throw new HttpError(404, 'posts.notFound')
  return id
}

/** The post named by `:id`, or a 404. */
async function postFromPath(c: Context<AppEnv>) {
  const post = await getPostById(c.var.db, postIdFromPath(c))
  if (!post) throw new HttpError(404, 'posts.notFound')
  return post
}

postsRoutes.get('/post/:id', deferSession, async (c) => {
  const [post] = await withSessionBatch(c, () => [postByIdRead(c.get('db'), postIdFromPath(c))])
  if (!post) throw new HttpError(404, 'posts.notFound')
  const t = c.get('t')
  const lang = c.get('lang')
  return c.render(<PostPageView t={t} lang={lang} post={post} viewerId={c.get('user')?.id} />, {
    title: t('post.title', { username: post.author.username }),
    meta: {
      description: post.body,
      path: `/post/${post.id}`,
      image: avatarUrl(post.author.email, 256),
      type: 'article',
    },
  })
})

/** Where to go after deleting: a same-origin page, but not the deleted post's own page. */
function afterDelete(raw: string | undefined, postId: number): string {
  const next = safeNext(raw)
  return next.split(/[?#]/)[0] === `/post/${postId}` ? '/' : next
}

function pageOf(c: Context<AppEnv>): string | undefined {
  return referringPath(c.req.url, { hxCurrentUrl: c.req.header('HX-Current-URL'), referer: c.req.header('Referer') })
}

// Without JavaScript the Delete button is a GET here: a page that asks first.
postsRoutes.get('/post/:id/delete', requireUser, async (c) => {
  const { t, lang } = c.var
  const post = await postFromPath(c)
  if (post.author.id !== c.var.user!.id) throw new HttpError(403, 'posts.notYours')
  const next = afterDelete(c.req.query('next') ?? pageOf(c), post.id)
  return c.render(<DeleteConfirmPage t={t} lang={lang} post={post} next={next} />, {
    title: t('posts.deleteTitle'),
  })
})

postsRoutes.post('/post/:id/delete', requireUser, async (c) => {
  const postId = postIdFromPath(c)
  const result = await deleteOwnPost(c.var.db, runtimeOf(c), c.var.user!, postId)
  if (!result.ok) {
    throw result.error === 'not-yours' ? new HttpError(403, 'posts.notYours') : new HttpError(404, 'posts.notFound')
  }
  const form = await readForm(c.req)
  const from = pageOf(c)
  if (isHtmx(c)) {
    // On the post's own page there is nothing left to show: go home with the flash.
    if (from && from.split(/[?#]/)[0] === `/post/${postId}`) {
      setFlash(c, 'posts.deleted')
      c.header('HX-Redirect', '/')
      return c.body(null, 200)
    }
    // The empty answer replaces the post (hx-target); the notice goes to the live region.
    return c.html(
      <div data-hx-swap-oob="innerHTML:#messages-top">
        <p class="flash" role="status">
          {c.var.t('posts.deleted')}
        </p>
      </div>,
    )
  }
  setFlash(c, 'posts.deleted')
  return c.redirect(afterDelete(form.next ?? from, postId), 303)
})

// "Who to follow" beside a non-empty home timeline, loaded by htmx after the page.
postsRoutes.get('/who-to-follow', requireUser, async (c) => {
  const suggestions = await listWhoToFollow(c.var.db, c.var.user!.id)
  c.header('Vary', 'HX-Request')
  if (!isHtmxFragmentRequest(c)) return c.redirect('/', 303)
  return c.html(<WhoToFollow t={c.var.t} people={suggestions} always={false} />)
})
