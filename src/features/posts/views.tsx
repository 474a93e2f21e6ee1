import { html } from 'hono/html'
import type { Page } from '../../lib/cursor'
import type { Lang, Translate } from '../../lib/i18n'
import { Field, PostItem, PostList, type PostView } from '../../views/components'
import { LiveFallbackLink, NewPostsBar } from '../live/views'
import { SessionGuardField } from '../../views/session-guard'
import type { Suggestion } from '../follows/queries'
import { WhoToFollow, WhoToFollowSlot } from '../follows/views'
import { POST_MAX } from './schemas'

/**
 * The post form. With htmx it posts in place: the response replaces the form (cleared, or
 * with its error) and adds the new post to the top of `#posts` out of band. `form_key` is
 * a one-time key: the server makes one post per key, whatever the number of submits.
 *
 * This and the other components of the home and explore pages are `html` templates, as
 * `PostItem` is (src/views/components.tsx): the same bytes as the JSX they replaced
 * (test/views/pages.test.tsx), without hono/jsx's per-element work.
 */
export function PostForm(props: { t: Translate; value?: string | undefined; error?: string | undefined }) {
  const { t } = props
  const counter = html`<p class="char-counter" id="post-counter" aria-hidden="true" data-max="${POST_MAX}" data-left-one="${t('composer.left.one')}" data-left-other="${t('composer.left.other')}" data-over-one="${t('composer.over.one')}" data-over-other="${t('composer.over.other')}" hidden=""></p><p class="sr-only char-status" role="status"></p>`
  const field = Field({
    name: 'body',
    type: 'textarea',
    label: t('posts.formLabel'),
    value: props.value,
    error: props.error,
    autofocus: props.error !== undefined,
    required: true,
    hint: t('posts.formHint', { max: POST_MAX }),
    children: counter,
  })
  return html`<form id="post-form" class="card post-form" method="post" action="/" data-hx-post="/" data-hx-target="this" data-hx-swap="outerHTML" data-hx-disabled-elt="find button"><input type="hidden" name="form_key" value="${crypto.randomUUID()}"/>${SessionGuardField()}${field}<button type="submit">${t('posts.submit')}</button></form>`
}

/**
 * What htmx gets after a successful post: a clean form, the post for the top of the
 * timeline and the removal of the empty-timeline text. A repeated submit (same key) gets
 * the clean form only, so the post is not shown twice.
 */
export function PostCreated(props: { t: Translate; lang: Lang; post: PostView; duplicate: boolean }) {
  const { t, lang, post } = props
  const added = props.duplicate
    ? null
    : html`<div data-hx-swap-oob="afterbegin:#posts">${PostItem({ post, t, lang, viewerId: post.author.id })}</div><p id="posts-empty" data-hx-swap-oob="delete"></p>`
  return html`${PostForm({ t })}${added}<div data-hx-swap-oob="innerHTML:#messages-top"><p class="flash" role="status">${t('posts.live')}</p></div>`
}

export function HomePage(props: {
  t: Translate
  lang: Lang
  page: Page<PostView>
  username: string
  viewerId: number
  suggestions: Suggestion[]
  value?: string | undefined
  error?: string | undefined
}) {
  const { t, lang, page } = props
  const empty = page.items.length === 0
  const list = PostList({
    posts: page.items,
    next: page.next,
    newer: page.newer ?? null,
    baseUrl: '/',
    t,
    lang,
    empty: t('home.empty'),
    viewerId: props.viewerId,
  })
  const aside = empty ? WhoToFollow({ t, people: props.suggestions, always: true }) : WhoToFollowSlot()
  return html`<div class="home-grid"><div class="home-main"><h1>${t('home.greeting', { username: props.username })}</h1>${PostForm({ t, value: props.value, error: props.error })}<h2 class="sr-only">${t('home.timeline')}</h2>${NewPostsBar({ t, count: 0 })}${LiveFallbackLink({ t, href: '/' })}${list}</div>${aside}</div>`
}

export function ExplorePage(props: { t: Translate; lang: Lang; page: Page<PostView>; viewerId?: number | undefined }) {
  const { t, lang, page } = props
  const list = PostList({
    posts: page.items,
    next: page.next,
    newer: page.newer ?? null,
    baseUrl: '/explore',
    t,
    lang,
    empty: t('explore.empty'),
    viewerId: props.viewerId,
  })
  return html`<h1>${t('explore.title')}</h1>${list}`
}

/** A post's own page (public): the post, and a way on to its author. */
export function PostPageView(props: { t: Translate; lang: Lang; post: PostView; viewerId?: number | undefined }) {
  const { t, lang, post } = props
  const author = encodeURIComponent(post.author.username)
  return (
    <>
      <h1>{t('post.heading', { username: post.author.username })}</h1>
      <section class="post-list single-post">
        <PostItem post={post} t={t} lang={lang} viewerId={props.viewerId} />
      </section>
      <p>
        <a href={`/user/${author}`}>{t('follows.backToProfile', { username: post.author.username })}</a>
      </p>
    </>
  )
}

/** Without JavaScript, Delete asks here first. */
export function DeleteConfirmPage(props: { t: Translate; lang: Lang; post: PostView; next: string }) {
  const { t, lang, post } = props
  const action = `/post/${post.id}/delete`
  return (
    <section class="card narrow">
      <h1>{t('posts.deleteTitle')}</h1>
      <p>{t('posts.deleteConfirm')}</p>
      <div class="post-list single-post">
        <PostItem post={post} t={t} lang={lang} />
      </div>
      <form method="post" action={action} class="actions">
        <input type="hidden" name="next" value={props.next} />
        <SessionGuardField />
        <button type="submit" class="danger">
          {t('posts.delete')}
        </button>
        <a href={props.next}>{t('forms.cancel')}</a>
      </form>
    </section>
  )
}
