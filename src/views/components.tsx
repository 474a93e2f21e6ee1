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

// The components a page repeats for every post or row (here and in the inbox, threads and
// people lists) call each other as functions, `{Avatar({ … })}`, rather than `<Avatar … />`:
// hono/jsx wraps each `<Component />` in a node whose props it copies when it renders,
// which for a timeline's 25 posts was ~40 µs of a page (`npm run bench -- --profile`).

/**
 * An avatar shown at `size` CSS pixels. The image asked for is twice that, sharp on 2×
 * screens (a 128 px profile avatar asks Gravatar for 256). Avatars load lazily, except one
 * at the top of a page (`eager`), which the reader sees first. `data-initial` is the letter
 * the stylesheet shows while (or if) the image does not load.
 */
export function Avatar(props: { email: string; size: number; username: string; eager?: boolean }) {
  return (
    <img
      class="avatar"
      src={avatarUrl(props.email, props.size * 2)}
      width={props.size}
      height={props.size}
      alt=""
      loading={props.eager ? undefined : 'lazy'}
      data-initial={props.username.slice(0, 1).toUpperCase()}
    />
  )
}

/**
 * A UTC time as `<time datetime>` with a localized absolute text; `public/js/app.js`
 * turns it into "3 minutes ago" in the reader's language and time zone.
 */
export function RelativeTime(props: { at: number; lang: Lang }) {
  const text = formatAbsoluteTime(props.lang, props.at)
  return (
    <time datetime={new Date(props.at).toISOString()} title={text} data-relative>
      {text}
    </time>
  )
}

/**
 * A post's text. `dir="auto"` lets a right-to-left post lay itself out without reordering the
 * page around it; `lang` (the detected language, when known) gives it the right fonts,
 * hyphenation and screen-reader voice. Links are JSX elements around escaped text.
 */
export function PostBody(props: { body: string; language?: string | null }) {
  return (
    <p class="post-body" dir="auto" lang={props.language ?? undefined}>
      {linkify(props.body).map((segment) =>
        segment.kind === 'link' ? (
          <a href={segment.href} rel="nofollow noopener ugc" target="_blank">
            {segment.text}
          </a>
        ) : (
          segment.text
        ),
      )}
    </p>
  )
}

/**
 * One post. When its language is known and is not the reader's, it offers "Translate";
 * `translation` (the translate page) shows a translation in that place instead; `body`
 * (search results, with matches marked) replaces the plain body. The time links to the
 * post's own page; the author (`viewerId`) also gets a Delete control. `#post-<id>` is
 * what Delete's htmx answer replaces.
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
  return (
    <article class="post" id={`post-${post.id}`}>
      {Avatar({ email: post.author.email, size: 48, username })}
      <div class="post-main">
        <header class="post-meta">
          <a class="author" href={`/user/${encodeURIComponent(username)}`}>
            {username}
          </a>
          <span aria-hidden="true"> · </span>
          <a class="permalink" href={`/post/${post.id}`}>
            {RelativeTime({ at: post.createdAt, lang })}
          </a>
        </header>
        {props.body ?? PostBody({ body: post.body, language: post.language })}
        {props.translation ?? (foreign ? TranslateForm({ postId: post.id, t }) : null)}
        {own ? DeletePostForm({ postId: post.id, t }) : null}
        <span class="sr-only">{t('posts.by', { username })}</span>
      </div>
    </article>
  )
}

/**
 * Delete, for the author. Without JavaScript it is a GET to a confirmation page whose form
 * posts the delete; with htmx it asks with `hx-confirm` and posts right away, and the
 * answer (nothing) replaces the post in place.
 */
export function DeletePostForm(props: { postId: number; t: Translate }) {
  const action = `/post/${props.postId}/delete`
  return (
    <form
      method="get"
      action={action}
      class="delete-form"
      data-hx-post={action}
      data-hx-confirm={props.t('posts.deleteConfirm')}
      data-hx-target={`#post-${props.postId}`}
      data-hx-swap="outerHTML"
      data-hx-disabled-elt="find button"
    >
      <button type="submit" class="link-button danger">
        {props.t('posts.delete')}
      </button>
    </form>
  )
}

/**
 * "Translate" is a form: without JavaScript it posts and gets a page with the translation;
 * with htmx the translation (or a message) replaces the form in place.
 */
export function TranslateForm(props: { postId: number; t: Translate }) {
  const action = `/translate/${props.postId}`
  return (
    <form
      method="post"
      action={action}
      class="translate-form"
      data-hx-post={action}
      data-hx-target="this"
      data-hx-swap="outerHTML"
      data-hx-disabled-elt="find button"
    >
      <SessionGuardField />
      <button type="submit" class="link-button">
        {props.t('posts.translate')}
      </button>
    </form>
  )
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
  const { t, lang, viewerId } = props
  return (
    <>
      {props.posts.map((post) => PostItem({ post, t, lang, viewerId }))}
      <MoreLink next={props.next} baseUrl={props.baseUrl} label={t('posts.older')} />
    </>
  )
}

/** The loader of the next (older) page, which replaces itself with it; an empty marker at the end. */
export function MoreLink(props: { next: string | null; baseUrl: string; label: string }) {
  if (!props.next) return <p class="end-of-list"></p>
  const sep = props.baseUrl.includes('?') ? '&' : '?'
  const href = `${props.baseUrl}${sep}before=${encodeURIComponent(props.next)}`
  return (
    <div class="more" data-hx-get={href} data-hx-trigger="revealed" data-hx-swap="outerHTML" data-hx-target="this">
      <a href={href} class="button secondary">
        {props.label}
      </a>
    </div>
  )
}

/**
 * "Newer posts" above a list reached with `before` or `after`: an ordinary link (no htmx) to
 * the page just newer than the first item shown. Nothing on the first page.
 */
export function NewerLink(props: { newer: string | null | undefined; baseUrl: string; label: string }) {
  if (!props.newer) return null
  const sep = props.baseUrl.includes('?') ? '&' : '?'
  return (
    <p class="newer">
      <a href={`${props.baseUrl}${sep}after=${encodeURIComponent(props.newer)}`} class="button secondary" rel="prev">
        {props.label}
      </a>
    </p>
  )
}

/**
 * A timeline: `#posts` is where a new post is added (out of band, at the top) and what
 * "N new posts" reloads; `#posts-empty` is the empty text a first post removes.
 */
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
  return (
    <>
      <NewerLink newer={props.newer} baseUrl={props.baseUrl} label={props.t('posts.newer')} />
      <section id="posts" class="post-list" aria-live="polite">
        {props.posts.length === 0 ? (
          <p class="empty" id="posts-empty">
            {props.empty}
          </p>
        ) : null}
        <PostPage
          posts={props.posts}
          next={props.next}
          baseUrl={props.baseUrl}
          t={props.t}
          lang={props.lang}
          viewerId={props.viewerId}
        />
      </section>
    </>
  )
}

/** A labelled form field whose error text is tied to the input with aria-describedby. */
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
  return (
    <div class={props.error ? 'field has-error' : 'field'}>
      <label for={id}>{props.label}</label>
      {props.type === 'textarea' ? (
        <textarea
          id={id}
          name={props.name}
          required={props.required}
          maxlength={props.maxlength}
          aria-invalid={props.error ? 'true' : undefined}
          aria-describedby={describedBy || undefined}
          autofocus={props.autofocus || undefined}
          rows={3}
        >
          {props.value ?? ''}
        </textarea>
      ) : (
        <input
          id={id}
          name={props.name}
          type={props.type ?? 'text'}
          value={props.value}
          autocomplete={props.autocomplete}
          required={props.required}
          maxlength={props.maxlength}
          aria-invalid={props.error ? 'true' : undefined}
          aria-describedby={describedBy || undefined}
          autofocus={props.autofocus || undefined}
        />
      )}
      {props.hint ? (
        <p class="hint" id={hintId}>
          {props.hint}
        </p>
      ) : null}
      {props.error ? (
        <p class="error" id={errorId}>
          {props.error}
        </p>
      ) : null}
      {props.children}
    </div>
  )
}
