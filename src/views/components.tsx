import { html } from 'hono/html'
import type { Child } from 'hono/jsx'
import type { Lang, Translate } from '../lib/i18n'
import { avatarUrl } from '../lib/gravatar'
import { linkify } from '../lib/linkify'
import { formatAbsoluteTime } from '../lib/time-format'
import { SessionGuardField } from './session-guard'

/** A post as the views need it: the post plus its author. */
export type PostView = {
  id: number
  body: string
  language: string | null
  createdAt: number
  author: { id: number; username: string; email: string }
}

// The components a timeline repeats for every post are written as `html` templates, not
// JSX: building and serialising a JSX tree for 25 posts was most of a page's CPU in
// `npm run bench -- --profile` (hono/jsx walks each element's props, normalises every
// attribute name, looks up contexts). `html` escapes every interpolated value exactly as
// JSX escapes text and attributes (hono's escapeToBuffer); the markup is the same bytes
// (test/views/post-item.test.ts). They are still components: `<PostItem … />` works.

/**
 * An avatar shown at `size` CSS pixels. The image asked for is twice that, sharp on 2×
 * screens (a 128 px profile avatar asks Gravatar for 256). Avatars load lazily, except one
 * at the top of a page (`eager`), which the reader sees first.
 */
export function Avatar(props: { email: string; size: number; username: string; eager?: boolean }) {
  const src = avatarUrl(props.email, props.size * 2)
  const initial = props.username.slice(0, 1).toUpperCase()
  const loading = props.eager ? '' : html` loading="lazy"`
  return html`<img class="avatar" src="${src}" width="${props.size}" height="${props.size}" alt=""${loading} data-initial="${initial}"/>`
}

/**
 * A UTC time as `<time datetime>` with a localized absolute text; `public/js/app.js`
 * turns it into "3 minutes ago" in the reader's language and time zone.
 */
export function RelativeTime(props: { at: number; lang: Lang }) {
  const text = formatAbsoluteTime(props.lang, props.at)
  const iso = new Date(props.at).toISOString()
  return html`<time datetime="${iso}" title="${text}" data-relative="true">${text}</time>`
}

/**
 * A post's text. `dir="auto"` lets a right-to-left post lay itself out without reordering the
 * page around it; `lang` (the detected language, when known) gives it the right fonts,
 * hyphenation and screen-reader voice.
 */
export function PostBody(props: { body: string; language?: string | null }) {
  const lang = props.language ? html` lang="${props.language}"` : ''
  const segments = linkify(props.body).map((segment) =>
    segment.kind === 'link'
      ? html`<a href="${segment.href}" rel="nofollow noopener ugc" target="_blank">${segment.text}</a>`
      : segment.text,
  )
  return html`<p class="post-body" dir="auto"${lang}>${segments}</p>`
}

/**
 * One post. When its language is known and is not the reader's, it offers "Translate";
 * `translation` (the translate page) shows a translation in that place instead; `body`
 * (search results, with matches marked) replaces the plain body. The time links to the
 * post's own page; the author (`viewerId`) also gets a Delete control.
 */
export function PostItem(props: {
  post: PostView
  t: Translate
  lang: Lang
  translation?: Child
  body?: Child
  viewerId?: number | undefined
}) {
  const { post, t, lang } = props
  const foreign = post.language !== null && post.language !== lang
  const own = props.viewerId !== undefined && props.viewerId === post.author.id
  const username = post.author.username
  const body = props.body ?? PostBody({ body: post.body, language: post.language })
  const translation = props.translation ?? (foreign ? TranslateForm({ postId: post.id, t }) : null)
  const remove = own ? DeletePostForm({ postId: post.id, t }) : null
  return html`<article class="post" id="post-${post.id}">${Avatar({ email: post.author.email, size: 48, username })}<div class="post-main"><header class="post-meta"><a class="author" href="/user/${encodeURIComponent(username)}">${username}</a><span aria-hidden="true"> · </span><a class="permalink" href="/post/${post.id}">${RelativeTime({ at: post.createdAt, lang })}</a></header>${body}${translation}${remove}<span class="sr-only">${t('posts.by', { username })}</span></div></article>`
}

/**
 * Delete, for the author. Without JavaScript it is a GET to a confirmation page whose form
 * posts the delete; with htmx it asks with `hx-confirm` and posts right away, and the
 * answer (nothing) replaces the post in place.
 */
export function DeletePostForm(props: { postId: number; t: Translate }) {
  const action = `/post/${props.postId}/delete`
  return html`<form method="get" action="${action}" class="delete-form" data-hx-post="${action}" data-hx-confirm="${props.t('posts.deleteConfirm')}" data-hx-target="#post-${props.postId}" data-hx-swap="outerHTML" data-hx-disabled-elt="find button"><button type="submit" class="link-button danger">${props.t('posts.delete')}</button></form>`
}

/**
 * "Translate" is a form: without JavaScript it posts and gets a page with the translation;
 * with htmx the translation (or a message) replaces the form in place.
 */
export function TranslateForm(props: { postId: number; t: Translate }) {
  const action = `/translate/${props.postId}`
  return html`<form method="post" action="${action}" class="translate-form" data-hx-post="${action}" data-hx-target="this" data-hx-swap="outerHTML" data-hx-disabled-elt="find button">${SessionGuardField()}<button type="submit" class="link-button">${props.t('posts.translate')}</button></form>`
}

/**
 * The items of one page plus, when there is an older page, the element that loads it:
 * htmx fetches it when scrolled into view (and replaces itself with the next page);
 * without JavaScript it is a plain "Older posts" link.
 */
export function PostPage(props: {
  posts: PostView[]
  next: string | null
  baseUrl: string
  t: Translate
  lang: Lang
  viewerId?: number | undefined
}) {
  const { posts, next, baseUrl, t, lang, viewerId } = props
  const items = posts.map((post) => PostItem({ post, t, lang, viewerId }))
  return html`${items}${MoreLink({ next, baseUrl, label: t('posts.older') })}`
}

export function MoreLink(props: { next: string | null; baseUrl: string; label: string }) {
  if (!props.next) return html`<p class="end-of-list"></p>`
  const sep = props.baseUrl.includes('?') ? '&' : '?'
  const href = `${props.baseUrl}${sep}before=${encodeURIComponent(props.next)}`
  return html`<div class="more" data-hx-get="${href}" data-hx-trigger="revealed" data-hx-swap="outerHTML" data-hx-target="this"><a href="${href}" class="button secondary">${props.label}</a></div>`
}

/**
 * "Newer posts" above a list reached with `before` or `after`: an ordinary link (no htmx) to
 * the page just newer than the first item shown. Nothing on the first page.
 */
export function NewerLink(props: { newer: string | null | undefined; baseUrl: string; label: string }) {
  if (!props.newer) return null
  const sep = props.baseUrl.includes('?') ? '&' : '?'
  const href = `${props.baseUrl}${sep}after=${encodeURIComponent(props.newer)}`
  return html`<p class="newer"><a href="${href}" class="button secondary" rel="prev">${props.label}</a></p>`
}

export function PostList(props: {
  posts: PostView[]
  next: string | null
  newer?: string | null
  baseUrl: string
  t: Translate
  lang: Lang
  empty: string
  viewerId?: number | undefined
}) {
  const newer = NewerLink({ newer: props.newer, baseUrl: props.baseUrl, label: props.t('posts.newer') })
  const empty = props.posts.length === 0 ? html`<p class="empty" id="posts-empty">${props.empty}</p>` : null
  return html`${newer}<section id="posts" class="post-list" aria-live="polite">${empty}${PostPage(props)}</section>`
}

/**
 * A labelled form field whose error text is tied to the input with aria-describedby.
 * Optional attributes are left out when unset, as JSX leaves them out (`attr()`).
 */
export function Field(props: {
  name: string
  label: string
  type?: string
  value?: string | undefined
  error?: string | undefined
  autocomplete?: string
  required?: boolean
  maxlength?: number
  hint?: string
  autofocus?: boolean
  children?: Child
}) {
  const id = `field-${props.name}`
  const errorId = `${id}-error`
  const hintId = `${id}-hint`
  const describedBy = [props.error ? errorId : null, props.hint ? hintId : null].filter(Boolean).join(' ')
  // The attributes both controls share, in the order the JSX wrote them.
  const common = html`${props.required ? html` required=""` : ''}${attr('maxlength', props.maxlength)}${props.error ? html` aria-invalid="true"` : ''}${attr('aria-describedby', describedBy || undefined)}${props.autofocus ? html` autofocus=""` : ''}`
  const control =
    props.type === 'textarea'
      ? html`<textarea id="${id}" name="${props.name}"${common} rows="3">${props.value ?? ''}</textarea>`
      : html`<input id="${id}" name="${props.name}" type="${props.type ?? 'text'}"${attr('value', props.value)}${attr('autocomplete', props.autocomplete)}${common}/>`
  const hint = props.hint ? html`<p class="hint" id="${hintId}">${props.hint}</p>` : null
  const error = props.error ? html`<p class="error" id="${errorId}">${props.error}</p>` : null
  return html`<div class="${props.error ? 'field has-error' : 'field'}"><label for="${id}">${props.label}</label>${control}${hint}${error}${props.children}</div>`
}

/** ` name="value"` (escaped), or nothing when the value is null or undefined — as JSX writes an attribute. */
export function attr(name: string, value: string | number | null | undefined) {
  return value === undefined || value === null ? '' : html` ${name}="${value}"`
}
