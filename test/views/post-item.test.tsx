import { describe, expect, it } from 'vitest'
import { createTranslator } from '../../src/lib/i18n'
import { avatarUrl } from '../../src/lib/gravatar'
import { formatAbsoluteTime } from '../../src/lib/time-format'
import { PostItem, type PostView } from '../../src/views/components'
import { element, render, tag, tags, text } from './markup'

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
const en = createTranslator('en')

describe('PostItem', () => {
  it('is #post-<id> with the author’s avatar (lazy), name and a permalink on its time', () => {
    const html = render(<PostItem post={posts[0]!} t={en} lang="en" />)
    expect(tag(html, 'article').attrs).toEqual({ class: 'post', id: 'post-1' })
    expect(tag(html, 'img').attrs).toEqual({
      class: 'avatar',
      src: avatarUrl('Ana@Example.com', 96),
      width: '48',
      height: '48',
      alt: '',
      loading: 'lazy',
      'data-initial': 'A',
    })
    expect(element(html, 'a', { class: 'author' })).toBe('<a class="author" href="/user/ana">ana</a>')
    const time = tag(element(html, 'a', { class: 'permalink' }), 'time').attrs
    expect(tag(html, 'a', { class: 'permalink' }).attrs.href).toBe('/post/1')
    expect(time).toEqual({
      datetime: '2026-01-02T03:04:00.000Z',
      title: formatAbsoluteTime('en', posts[0]!.createdAt),
      'data-relative': 'true',
    })
    // Screen readers hear who wrote it; the separator is decoration.
    expect(html).toContain('<span aria-hidden="true"> · </span>')
    expect(html).toContain(`<span class="sr-only">${en('posts.by', { username: 'ana' })}</span>`)
  })

  it('writes the body as escaped text with its language and direction, links made links', () => {
    const html = render(<PostItem post={posts[1]!} t={en} lang="es" />)
    const body = element(html, 'p', { class: 'post-body' })
    expect(tag(body, 'p').attrs).toEqual({ class: 'post-body', dir: 'auto', lang: 'es' })
    expect(html).not.toContain('<script>')
    expect(body).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quotes&#39;')
    expect(tags(body, 'a').map((a) => a.attrs)).toEqual([
      { href: 'https://example.com/a?b=1&c=', rel: 'nofollow noopener ugc', target: '_blank' },
      { href: 'https://en.wikipedia.org/wiki/Foo_(bar)', rel: 'nofollow noopener ugc', target: '_blank' },
    ])
    expect(tag(render(<PostItem post={posts[2]!} t={en} lang="en" />), 'p', { class: 'post-body' }).attrs).toEqual({
      class: 'post-body',
      dir: 'auto',
    })
  })

  it('escapes and encodes the author’s name in text and links', () => {
    const html = render(<PostItem post={posts[1]!} t={en} lang="en" />)
    expect(html).toContain('href="/user/b%C3%A9%22o%3Cb%3E"')
    expect(html).toContain('>bé&quot;o&lt;b&gt;</a>')
    expect(tag(html, 'img').attrs['data-initial']).toBe('B')
  })

  it('offers Translate for a post in another language than the reader’s, in place under htmx', () => {
    expect(render(<PostItem post={posts[0]!} t={en} lang="en" />)).not.toContain('translate-form')
    expect(render(<PostItem post={posts[2]!} t={en} lang="en" />)).not.toContain('translate-form')
    const es = createTranslator('es')
    const html = render(<PostItem post={posts[0]!} t={es} lang="es" />, 8)
    expect(tag(html, 'form').attrs).toMatchObject({
      method: 'post',
      action: '/translate/1',
      class: 'translate-form',
      'data-hx-post': '/translate/1',
      'data-hx-target': 'this',
      'data-hx-swap': 'outerHTML',
    })
    expect(html).toContain('<input type="hidden" name="as_user" value="8"/>')
    expect(html).toContain('>Traducir</button>')
  })

  it('gives the author Delete: a GET to the confirmation page, or an htmx POST that replaces #post-<id>', () => {
    expect(render(<PostItem post={posts[0]!} t={en} lang="en" viewerId={8} />)).not.toContain('delete-form')
    const html = render(<PostItem post={posts[0]!} t={en} lang="en" viewerId={7} />, 7)
    expect(tag(html, 'form', { class: 'delete-form' }).attrs).toMatchObject({
      method: 'get',
      action: '/post/1/delete',
      'data-hx-post': '/post/1/delete',
      'data-hx-confirm': en('posts.deleteConfirm'),
      'data-hx-target': '#post-1',
      'data-hx-swap': 'outerHTML',
    })
    expect(text(element(html, 'button'))).toBe(en('posts.delete'))
  })

  it('puts a given body or translation in place of the plain body or the Translate form', () => {
    const html = render(
      <PostItem post={posts[1]!} t={en} lang="en" body={<em>marked</em>} translation={<p>translated</p>} />,
    )
    expect(html).toContain('<em>marked</em><p>translated</p>')
    expect(html).not.toContain('post-body')
    expect(html).not.toContain('translate-form')
  })
})
