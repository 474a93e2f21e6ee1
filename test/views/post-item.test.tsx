import type { Context } from 'hono'
import type { Child } from 'hono/jsx'
import { RequestContext } from 'hono/jsx-renderer'
import { describe, expect, it } from 'vitest'
import { createTranslator, type Lang, type Translate } from '../../src/lib/i18n'
import { avatarUrl } from '../../src/lib/gravatar'
import { linkify } from '../../src/lib/linkify'
import { formatAbsoluteTime } from '../../src/lib/time-format'
import { PostItem, type PostView } from '../../src/views/components'

// The JSX the `html` templates of src/views/components.tsx replaced (kept here as the
// reference): the templates must write exactly the same bytes.
function GuardJsx(props: { userId: number | undefined }) {
  return props.userId === undefined ? null : <input type="hidden" name="as_user" value={String(props.userId)} />
}

function PostItemJsx(props: {
  post: PostView
  t: Translate
  lang: Lang
  translation?: Child
  body?: Child
  viewerId?: number | undefined
  guardUserId?: number | undefined
}) {
  const { post, t, lang } = props
  const foreign = post.language !== null && post.language !== lang
  const own = props.viewerId !== undefined && props.viewerId === post.author.id
  const text = formatAbsoluteTime(lang, post.createdAt)
  const del = `/post/${post.id}/delete`
  const tr = `/translate/${post.id}`
  return (
    <article class="post" id={`post-${post.id}`}>
      <img
        class="avatar"
        src={avatarUrl(post.author.email, 96)}
        width={48}
        height={48}
        alt=""
        loading="lazy"
        data-initial={post.author.username.slice(0, 1).toUpperCase()}
      />
      <div class="post-main">
        <header class="post-meta">
          <a class="author" href={`/user/${encodeURIComponent(post.author.username)}`}>
            {post.author.username}
          </a>
          <span aria-hidden="true"> · </span>
          <a class="permalink" href={`/post/${post.id}`}>
            <time datetime={new Date(post.createdAt).toISOString()} title={text} data-relative>
              {text}
            </time>
          </a>
        </header>
        {props.body ?? (
          <p class="post-body" dir="auto" lang={post.language ?? undefined}>
            {linkify(post.body).map((s) =>
              s.kind === 'link' ? (
                <a href={s.href} rel="nofollow noopener ugc" target="_blank">
                  {s.text}
                </a>
              ) : (
                s.text
              ),
            )}
          </p>
        )}
        {props.translation ??
          (foreign ? (
            <form
              method="post"
              action={tr}
              class="translate-form"
              data-hx-post={tr}
              data-hx-target="this"
              data-hx-swap="outerHTML"
              data-hx-disabled-elt="find button"
            >
              <GuardJsx userId={props.guardUserId} />
              <button type="submit" class="link-button">
                {t('posts.translate')}
              </button>
            </form>
          ) : null)}
        {own ? (
          <form
            method="get"
            action={del}
            class="delete-form"
            data-hx-post={del}
            data-hx-confirm={t('posts.deleteConfirm')}
            data-hx-target={`#post-${post.id}`}
            data-hx-swap="outerHTML"
            data-hx-disabled-elt="find button"
          >
            <button type="submit" class="link-button danger">
              {t('posts.delete')}
            </button>
          </form>
        ) : null}
        <span class="sr-only">{t('posts.by', { username: post.author.username })}</span>
      </div>
    </article>
  )
}

const posts: PostView[] = [
  {
    id: 1,
    body: 'Plain text.',
    language: 'en',
    createdAt: Date.UTC(2026, 0, 2, 3, 4),
    author: { id: 7, username: 'ana', email: 'Ana@Example.com' },
  },
  {
    id: 22,
    body: `<script>alert("x")</script> & 'quotes' — see https://example.com/a?b=1&c=<2>. Or (https://en.wikipedia.org/wiki/Foo_(bar)).`,
    language: 'es',
    createdAt: Date.UTC(2025, 11, 31, 23, 59),
    author: { id: 8, username: 'bé"o<b>', email: 'x@example.com' },
  },
  {
    id: 333,
    body: '日本語のテキスト 🎉',
    language: null,
    createdAt: Date.UTC(2024, 5, 6, 12, 0),
    author: { id: 9, username: 'Ünïcode', email: 'u@example.com' },
  },
]

function render(node: Child, userId: number | undefined): string {
  const c = {
    get: (key: string) => (key === 'user' && userId !== undefined ? { id: userId } : null),
  } as unknown as Context
  return String(<RequestContext.Provider value={c}>{node}</RequestContext.Provider>)
}

describe('PostItem (html template)', () => {
  it('writes the same bytes as the JSX it replaced: visitors, members, own posts, foreign posts, both languages', () => {
    let compared = 0
    for (const lang of ['en', 'es'] as const) {
      const t = createTranslator(lang)
      for (const post of posts) {
        for (const viewer of [undefined, 7, 8]) {
          const ours = render(<PostItem post={post} t={t} lang={lang} viewerId={viewer} />, viewer)
          const theirs = render(
            <PostItemJsx post={post} t={t} lang={lang} viewerId={viewer} guardUserId={viewer} />,
            viewer,
          )
          expect(ours).toBe(theirs)
          compared++
        }
      }
    }
    expect(compared).toBe(18)
  })

  it('escapes user text in text and attributes', () => {
    const html = render(<PostItem post={posts[1]!} t={createTranslator('en')} lang="en" />, undefined)
    expect(html).not.toContain('<script>')
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;')
    expect(html).toContain('href="/user/b%C3%A9%22o%3Cb%3E"')
    expect(html).toContain('>bé&quot;o&lt;b&gt;</a>')
  })

  it('puts a given body or translation in place of the plain body or the Translate form', () => {
    const t = createTranslator('en')
    const ours = render(
      <PostItem post={posts[1]!} t={t} lang="en" body={<em>marked</em>} translation={<p>translated</p>} />,
      undefined,
    )
    const theirs = render(
      <PostItemJsx post={posts[1]!} t={t} lang="en" body={<em>marked</em>} translation={<p>translated</p>} />,
      undefined,
    )
    expect(ours).toBe(theirs)
    expect(ours).toContain('<em>marked</em>')
    expect(ours).not.toContain('translate-form')
  })
})
