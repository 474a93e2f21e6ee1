import type { Child } from 'hono/jsx'
import type { Lang, Translate } from '../lib/i18n'
import { avatarUrl } from '../lib/gravatar'
import { linkify } from '../lib/linkify'

/** A post as the views need it: the post plus its author. */
export type PostView = {
  id: number
  body: string
  language: string | null
  createdAt: number
  author: { id: number; username: string; email: string }
}

export function Avatar(props: { email: string; size: number; username: string }) {
  return (
    <img
      class="avatar"
      src={avatarUrl(props.email, props.size)}
      width={props.size}
      height={props.size}
      alt=""
      loading="lazy"
      data-initial={props.username.slice(0, 1).toUpperCase()}
    />
  )
}

// Building an Intl.DateTimeFormat costs far more than using one (it was half the CPU time
// of a timeline page in `npm run bench`), so there is one per language per isolate.
const absoluteTimeFormats = new Map<string, Intl.DateTimeFormat>()
function absoluteTimeFormat(lang: string): Intl.DateTimeFormat {
  let format = absoluteTimeFormats.get(lang)
  if (!format) {
    format = new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' })
    absoluteTimeFormats.set(lang, format)
  }
  return format
}

/**
 * A UTC time as `<time datetime>` with a localized absolute text; `public/js/app.js`
 * turns it into "3 minutes ago" in the reader's language and time zone.
 */
export function RelativeTime(props: { at: number; lang: Lang }) {
  const date = new Date(props.at)
  const text = absoluteTimeFormat(props.lang).format(date)
  return (
    <time datetime={date.toISOString()} title={text} data-relative>
      {text}
    </time>
  )
}

export function PostBody(props: { body: string }) {
  return (
    <p class="post-body">
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
 * `translation` (the translate page) shows a translation in that place instead.
 */
export function PostItem(props: { post: PostView; t: Translate; lang: Lang; translation?: Child }) {
  const { post, t, lang } = props
  const foreign = post.language !== null && post.language !== lang
  return (
    <article class="post" id={`post-${post.id}`}>
      <Avatar email={post.author.email} size={48} username={post.author.username} />
      <div class="post-main">
        <header class="post-meta">
          <a class="author" href={`/user/${encodeURIComponent(post.author.username)}`}>
            {post.author.username}
          </a>
          <span aria-hidden="true"> · </span>
          <RelativeTime at={post.createdAt} lang={lang} />
        </header>
        <PostBody body={post.body} />
        {props.translation ?? (foreign ? <TranslateForm postId={post.id} t={t} /> : null)}
        <span class="sr-only">{t('posts.by', { username: post.author.username })}</span>
      </div>
    </article>
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
export function PostPage(props: { posts: PostView[]; next: string | null; baseUrl: string; t: Translate; lang: Lang }) {
  const { posts, next, baseUrl, t, lang } = props
  return (
    <>
      {posts.map((post) => (
        <PostItem post={post} t={t} lang={lang} />
      ))}
      <MoreLink next={next} baseUrl={baseUrl} label={t('posts.older')} />
    </>
  )
}

export function MoreLink(props: { next: string | null; baseUrl: string; label: string }) {
  if (!props.next) return <p class="end-of-list" />
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

export function PostList(props: {
  posts: PostView[]
  next: string | null
  baseUrl: string
  t: Translate
  lang: Lang
  empty: string
}) {
  return (
    <section id="posts" class="post-list" aria-live="polite">
      {props.posts.length === 0 ? <p class="empty">{props.empty}</p> : null}
      <PostPage {...props} />
    </section>
  )
}

/** A labelled form field whose error text is tied to the input with aria-describedby. */
export function Field(props: {
  name: string
  label: string
  type?: string
  value?: string
  error?: string | undefined
  autocomplete?: string
  required?: boolean
  maxlength?: number
  hint?: string
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
