import { describe, expect, it } from 'vitest'
import type { User } from '../../src/db/schema'
import { LoginPage } from '../../src/features/auth/views'
import { FollowButton, WhoToFollow, WhoToFollowSlot } from '../../src/features/follows/views'
import { LiveFallbackLink, NewPostsBar } from '../../src/features/live/views'
import { POST_MAX } from '../../src/features/posts/schemas'
import { ExplorePage, HomePage, PostCreated, PostForm } from '../../src/features/posts/views'
import { QUERY_MAX } from '../../src/features/search/schemas'
import { SearchMain } from '../../src/features/search/views'
import { ProfileHeader, ProfilePage, ProfileStats } from '../../src/features/users/views'
import { createTranslator } from '../../src/lib/i18n'
import { Field, MoreLink, NewerLink, PostList, type PostView } from '../../src/views/components'
import { element, escaped, render, renderFragment, tag, tags, text } from './markup'

// What the page bodies of home, explore, profile and login must do: the ids htmx targets,
// the attributes forms and htmx need, text escaped wherever members' words go.

const NASTY = `<b>"q" & 'a'</b>`
const en = createTranslator('en')
const es = createTranslator('es')

function post(id: number, authorId: number, extra: Partial<PostView> = {}): PostView {
  return {
    id,
    body: `Post ${id} https://example.com/?a=1&b=<2> ${NASTY}`,
    language: 'en',
    createdAt: Date.UTC(2026, 0, 1) - id * 3_600_000,
    author: { id: authorId, username: authorId === 7 ? 'ana' : `u"<${authorId}>&'`, email: `u${authorId}@example.com` },
    ...extra,
  }
}

const posts = [post(1, 7), post(2, 8), post(3, 9)]

function user(id: number, extra: Partial<User> = {}): User {
  return {
    id,
    username: id === 7 ? 'ana' : `u"<${id}>&'`,
    email: `u${id}@example.com`,
    passwordHash: 'x',
    passwordRehashedAt: null,
    aboutMe: NASTY,
    language: null,
    postCount: 1,
    followerCount: 12,
    followingCount: 0,
    unreadMessageCount: 2,
    lastSeenAt: Date.UTC(2026, 2, 3, 4, 5),
    createdAt: Date.UTC(2025, 0, 1),
    deletedAt: null,
    ...extra,
  }
}

describe('Field', () => {
  it('labels its control and ties the hint and the error to it', () => {
    const html = render(<Field name="login" label={NASTY} hint="h" error="e" value={NASTY} required />)
    expect(tag(html, 'label').attrs.for).toBe('field-login')
    expect(text(element(html, 'label'))).toBe(NASTY)
    const input = tag(html, 'input', { id: 'field-login' }).attrs
    expect(input).toMatchObject({ name: 'login', type: 'text', value: NASTY, required: '', 'aria-invalid': 'true' })
    expect(input['aria-describedby']).toBe('field-login-error field-login-hint')
    expect(tag(html, 'p', { id: 'field-login-error' }).attrs.class).toBe('error')
    expect(tag(html, 'p', { id: 'field-login-hint' }).attrs.class).toBe('hint')
    expect(tag(html, 'div').attrs.class).toBe('field has-error')
  })

  it('leaves out what is not set, and writes a textarea with its value as escaped text', () => {
    const plain = tag(render(<Field name="email" type="email" label="E" />), 'input').attrs
    expect(plain).toEqual({ id: 'field-email', name: 'email', type: 'email' })
    const area = render(
      <Field name="body" type="textarea" label="B" value={`${NASTY}\nline`} maxlength={280} autofocus>
        <p class="x">child</p>
      </Field>,
    )
    expect(area).toContain(`>${escaped(NASTY)}\nline</textarea>`)
    expect(tag(area, 'textarea').attrs).toMatchObject({ maxlength: '280', autofocus: '', rows: '3' })
    expect(area).toContain('<p class="x">child</p></div>')
  })
})

describe('timelines', () => {
  it('MoreLink loads the next page in place with htmx and is a plain link without it', () => {
    const more = tag(render(<MoreLink next={`x"<&'y`} baseUrl="/search?q=a" label="Older" />), 'div').attrs
    expect(more).toMatchObject({
      class: 'more',
      'data-hx-get': `/search?q=a&before=${encodeURIComponent(`x"<&'y`)}`,
      'data-hx-trigger': 'revealed',
      'data-hx-swap': 'outerHTML',
      'data-hx-target': 'this',
    })
    const link = render(<MoreLink next="1-2" baseUrl="/explore" label="Older" />)
    expect(tag(link, 'a').attrs.href).toBe('/explore?before=1-2')
    expect(render(<MoreLink next={null} baseUrl="/explore" label="Older" />)).toBe('<p class="end-of-list"></p>')
  })

  it('NewerLink is a plain link to the newer page, and nothing on the first page', () => {
    const html = render(<NewerLink newer="9-9" baseUrl="/user/a%22b" label="Newer" />)
    expect(tag(html, 'a').attrs).toMatchObject({ href: '/user/a%22b?after=9-9', rel: 'prev' })
    expect(render(<NewerLink newer={null} baseUrl="/" label="Newer" />)).toBe('')
  })

  it('PostList is #posts (where new posts go) with #posts-empty when empty, then the loader', () => {
    const props = { baseUrl: '/explore', t: en, lang: 'en' as const, empty: NASTY }
    const empty = render(<PostList {...props} posts={[]} next={null} />)
    expect(tag(empty, 'section', { id: 'posts' }).attrs['aria-live']).toBe('polite')
    expect(element(empty, 'p', { id: 'posts-empty' })).toBe(`<p class="empty" id="posts-empty">${escaped(NASTY)}</p>`)
    const full = render(<PostList {...props} posts={posts} next="1-1" newer="5-5" />)
    expect(tags(full, 'p', { id: 'posts-empty' })).toHaveLength(0)
    const list = element(full, 'section', { id: 'posts' })
    expect(tags(list, 'article').map((a) => a.attrs.id)).toEqual(['post-1', 'post-2', 'post-3'])
    expect(tag(list, 'div', { class: 'more' }).at).toBeGreaterThan(tags(list, 'article')[2]!.at)
    expect(full.indexOf('class="newer"')).toBeLessThan(full.indexOf('id="posts"'))
  })
})

describe('the home page', () => {
  it('has a post form that posts in place with htmx, with a fresh one-time key and the member’s guard field', () => {
    const a = render(<PostForm t={en} />, 7)
    const form = tag(a, 'form', { id: 'post-form' }).attrs
    expect(form).toMatchObject({
      method: 'post',
      action: '/',
      'data-hx-post': '/',
      'data-hx-target': 'this',
      'data-hx-swap': 'outerHTML',
    })
    const key = tag(a, 'input', { name: 'form_key' }).attrs.value
    expect(key).toMatch(/^[0-9a-f-]{36}$/)
    expect(tag(render(<PostForm t={en} />, 7), 'input', { name: 'form_key' }).attrs.value).not.toBe(key)
    expect(a).toContain('name="as_user" value="7"')
    expect(tag(a, 'textarea').attrs).toMatchObject({ name: 'body', required: '' })
    expect(tag(a, 'textarea').attrs).not.toHaveProperty('autofocus')
    const counter = tag(a, 'p', { id: 'post-counter' }).attrs
    expect(counter).toMatchObject({ 'data-max': String(POST_MAX), hidden: '', 'aria-hidden': 'true' })
    expect(counter['data-left-other']).toBe(en('composer.left.other'))
  })

  it('gives the form back with the typed text and its error, focused', () => {
    const html = render(<PostForm t={es} value={NASTY} error="Too long & <bad>" />, 7)
    expect(html).toContain(`>${escaped(NASTY)}</textarea>`)
    expect(tag(html, 'textarea').attrs).toMatchObject({ autofocus: '', 'aria-invalid': 'true' })
    expect(text(element(html, 'p', { id: 'field-body-error' }))).toBe('Too long & <bad>')
  })

  it('answers a post with a clean form, the post at the top of #posts and the empty text removed (out of band)', () => {
    const p = post(5, 7)
    const html = renderFragment(<PostCreated t={en} lang="en" post={p} duplicate={false} />)
    expect(html.startsWith('<form id="post-form"')).toBe(true)
    expect(element(html, 'div', { 'data-hx-swap-oob': 'afterbegin:#posts' })).toContain(
      '<article class="post" id="post-5"',
    )
    expect(tag(html, 'p', { id: 'posts-empty' }).attrs['data-hx-swap-oob']).toBe('delete')
    const flash = element(html, 'div', { 'data-hx-swap-oob': 'innerHTML:#messages-top' })
    expect(flash).toContain(`<p class="flash" role="status">${en('posts.live')}</p>`)
    // The author may delete it at once.
    expect(html).toContain('action="/post/5/delete"')
    const again = renderFragment(<PostCreated t={en} lang="en" post={p} duplicate />)
    expect(again).not.toContain('<article')
    expect(again).not.toContain('posts-empty')
  })

  it('greets the member, shows the live bar and its fallback, and Who to follow (on an empty timeline) or its slot', () => {
    const people = [{ id: 8, username: `u"<8>&'`, email: 'u8@example.com', aboutMe: NASTY }]
    const props = { t: en, lang: 'en' as const, username: NASTY, viewerId: 7, suggestions: people }
    const full = render(<HomePage {...props} page={{ items: posts, next: null }} />, 7)
    expect(full).toContain(`<h1>${escaped(en('home.greeting', { username: NASTY }))}</h1>`)
    expect(tags(full, 'div', { id: 'new-posts' })).toHaveLength(1)
    expect(tags(full, 'p', { class: 'live-fallback' })).toHaveLength(1)
    expect(tags(full, 'aside')).toHaveLength(0)
    expect(tag(full, 'div', { class: 'who-to-follow-slot' }).attrs['data-hx-get']).toBe('/who-to-follow')
    const empty = render(<HomePage {...props} page={{ items: [], next: null }} />, 7)
    expect(tags(empty, 'div', { class: 'who-to-follow-slot' })).toHaveLength(0)
    const aside = element(empty, 'aside')
    expect(tag(aside, 'aside').attrs).toMatchObject({
      class: 'who-to-follow always',
      'aria-labelledby': 'who-to-follow-title',
    })
    expect(tags(aside, 'h2', { id: 'who-to-follow-title' })).toHaveLength(1)
    expect(aside).toContain('<form id="follow-8"')
    expect(aside).toContain(`<p class="about muted">${escaped(NASTY)}</p>`)
    expect(tag(aside, 'a', { class: 'author' }).attrs.href).toBe(`/user/${encodeURIComponent(`u"<8>&'`)}`)
  })

  it('has no Who to follow block when there is nobody to suggest', () => {
    expect(render(<WhoToFollow t={en} people={[]} always />)).toBe('')
    expect(tag(render(<WhoToFollowSlot />), 'div').attrs).toMatchObject({
      'data-hx-trigger': 'load',
      'data-hx-swap': 'outerHTML',
      'data-hx-target': 'this',
    })
  })
})

describe('explore', () => {
  it('lists posts for visitors and members; only the author gets Delete', () => {
    const page = { items: posts, next: '1-1' }
    const visitor = render(<ExplorePage t={es} lang="es" page={page} />)
    expect(visitor).toContain(`<h1>${es('explore.title')}</h1>`)
    expect(visitor).not.toContain('delete-form')
    expect(tag(visitor, 'div', { class: 'more' }).attrs['data-hx-get']).toBe('/explore?before=1-1')
    const author = render(<ExplorePage t={es} lang="es" page={page} viewerId={7} />, 7)
    expect(tags(author, 'form', { class: 'delete-form' }).map((f) => f.attrs.action)).toEqual(['/post/1/delete'])
    const empty = render(<ExplorePage t={en} lang="en" page={{ items: [], next: null }} />)
    expect(text(element(empty, 'p', { id: 'posts-empty' }))).toBe(en('explore.empty'))
  })
})

describe('profiles', () => {
  it('ProfileStats has its own id on the page and in the popup, and can be swapped out of band', () => {
    const shown = user(8)
    const html = render(<ProfileStats t={en} user={shown} />)
    expect(tag(html, 'ul').attrs).toEqual({ class: 'stats', id: 'stats-8' })
    expect(text(html)).toContain('12 followers')
    const name = encodeURIComponent(shown.username)
    expect(tags(html, 'a').map((a) => a.attrs.href)).toEqual([`/user/${name}/followers`, `/user/${name}/following`])
    expect(tag(render(<ProfileStats t={en} user={shown} popup oob />), 'ul').attrs).toEqual({
      class: 'stats',
      id: 'popup-stats-8',
      'data-hx-swap-oob': 'true',
    })
  })

  it('offers Edit to the member themself, Follow and Message to other members, nothing to visitors', () => {
    const shown = user(8)
    const header = (viewer: User | null, following = false) =>
      render(<ProfileHeader t={en} lang="en" user={shown} viewer={viewer} following={following} />, viewer?.id)
    expect(header(null)).not.toContain('profile-actions')
    expect(header(null)).not.toContain('/settings/profile')
    const own = header(user(8))
    expect(tag(own, 'a', { href: '/settings/profile' }).attrs.class).toBe('button secondary')
    const other = element(header(user(7), true), 'div', { class: 'profile-actions' })
    expect(tag(other, 'form', { id: 'follow-8' }).attrs.action).toBe(`/unfollow/${encodeURIComponent(shown.username)}`)
    expect(tag(other, 'a', { class: 'button secondary message-button' }).attrs.href).toBe(
      `/messages/${encodeURIComponent(shown.username)}`,
    )
    // The top avatar loads at once; the member's words are escaped and laid out on their own.
    expect(tag(own, 'img', { class: 'avatar' }).attrs).not.toHaveProperty('loading')
    expect(own).toContain(`<h1>${escaped(shown.username)}</h1>`)
    expect(own).toContain(`<p class="about" dir="auto">${escaped(NASTY)}</p>`)
    expect(own).toMatch(/Last seen <time datetime="2026-03-03T04:05:00.000Z"/)
  })

  it('lists the member’s posts under the header, with paging links that keep the encoded name', () => {
    const shown = user(8)
    const html = render(
      <ProfilePage
        t={en}
        lang="en"
        user={shown}
        viewer={user(7)}
        following={false}
        page={{ items: posts, next: `x"<&'y` }}
      />,
      7,
    )
    expect(html.indexOf('class="card profile"')).toBeLessThan(html.indexOf('id="posts"'))
    expect(html).toContain(`<h2>${en('profile.postsHeading')}</h2>`)
    expect(tag(html, 'div', { class: 'more' }).attrs['data-hx-get']).toBe(
      `/user/${encodeURIComponent(shown.username)}?before=${encodeURIComponent(`x"<&'y`)}`,
    )
    expect(html).not.toContain('<b>"q"')
    expect(html).toContain('&lt;b&gt;&quot;q&quot; &amp; &#39;a&#39;&lt;/b&gt;')
    expect(html).toContain('action="/follow/u%22%3C8%3E%26&#39;"')
    expect(html).toContain('before=x%22%3C%26&#39;y"')
  })
})

describe('the follow button', () => {
  it('is a form that swaps itself under htmx, pressed when following, with its own id in the popup', () => {
    const follow = render(<FollowButton t={en} username="Ünïcode" userId={8} following={false} />, 7)
    const action = `/follow/${encodeURIComponent('Ünïcode')}`
    expect(tag(follow, 'form').attrs).toMatchObject({
      id: 'follow-8',
      class: 'follow-form',
      method: 'post',
      action,
      'data-hx-post': action,
      'data-hx-target': 'this',
      'data-hx-swap': 'outerHTML',
    })
    expect(follow).toContain('name="as_user" value="7"')
    expect(tag(follow, 'button').attrs['aria-pressed']).toBe('false')
    expect(text(element(follow, 'button'))).toBe('Follow')
    const unfollow = render(<FollowButton t={es} username="ana" userId={8} following popup />)
    expect(tag(unfollow, 'form').attrs).toMatchObject({ id: 'popup-follow-8', action: '/unfollow/ana?in=popup' })
    expect(tag(unfollow, 'button').attrs).toMatchObject({ class: 'secondary', 'aria-pressed': 'true' })
    expect(text(element(unfollow, 'button'))).toBe(es('follows.unfollow'))
    expect(unfollow).not.toContain('as_user')
  })
})

describe('the login page', () => {
  it('posts to /auth/login with next, says what went wrong as an alert and keeps what was typed (never the password)', () => {
    const html = render(<LoginPage t={en} next={`/a"><script>`} login={`"><script>`} remember error={NASTY} />)
    expect(html).not.toContain('<script>')
    const form = element(html, 'form', { action: '/auth/login' })
    expect(tag(form, 'form').attrs).toMatchObject({ method: 'post', novalidate: '' })
    expect(tag(form, 'input', { name: 'next' }).attrs.value).toBe(`/a"><script>`)
    expect(html).toContain('value="/a&quot;&gt;&lt;script&gt;"')
    expect(tag(form, 'input', { name: 'login' }).attrs).toMatchObject({ value: `"><script>`, autocomplete: 'username' })
    expect(tag(form, 'input', { name: 'password' }).attrs).not.toHaveProperty('value')
    expect(tag(form, 'input', { name: 'password' }).attrs.autocomplete).toBe('current-password')
    expect(tag(form, 'input', { name: 'remember' }).attrs).toHaveProperty('checked', '')
    expect(element(html, 'p', { id: 'login-error' })).toBe(
      `<p class="flash flash-error" role="alert" id="login-error">${escaped(NASTY)}</p>`,
    )
    const fresh = render(<LoginPage t={es} next="/" />)
    expect(tags(fresh, 'p', { id: 'login-error' })).toHaveLength(0)
    expect(tag(fresh, 'input', { name: 'remember' }).attrs).not.toHaveProperty('checked')
    expect(tags(fresh, 'a').map((a) => a.attrs.href)).toEqual(['/auth/reset-password', '/auth/register'])
  })
})

describe('live parts of the home page', () => {
  it('the new-posts bar is empty until the live channel fills it; then a link that reloads #posts', () => {
    expect(render(<NewPostsBar t={en} count={0} />)).toBe('<div id="new-posts" class="new-posts"></div>')
    const bar = render(<NewPostsBar t={en} count={7} oob />)
    expect(tag(bar, 'div').attrs['data-hx-swap-oob']).toBe('true')
    expect(tag(bar, 'a').attrs).toMatchObject({ href: '/', 'data-hx-get': '/', 'data-hx-target': '#posts' })
    expect(text(bar)).toBe('7 new posts')
  })

  it('the fallback link reloads the page (escaped href)', () => {
    const html = render(<LiveFallbackLink t={en} href={`/?a="<b>"`} />)
    expect(html).toBe(`<p class="live-fallback"><a href="/?a=&quot;&lt;b&gt;&quot;">${en('live.refresh')}</a></p>`)
  })
})

describe('the search page', () => {
  it('has its own search box (the one a phone uses), a plain GET form that keeps the query', () => {
    const html = render(<SearchMain t={en} lang="en" results={null} q={NASTY} />)
    const form = element(html, 'form', { class: 'search-page-form' })
    expect(tag(form, 'form').attrs).toMatchObject({ role: 'search', method: 'get', action: '/search' })
    expect(tag(form, 'label').attrs.for).toBe('search-q')
    expect(tag(form, 'input').attrs).toMatchObject({ id: 'search-q', name: 'q', type: 'search', value: NASTY })
    expect(tag(form, 'input').attrs).not.toHaveProperty('aria-invalid')
    expect(form).not.toContain('data-hx-')
    const long = 'x'.repeat(QUERY_MAX + 1)
    const invalid = render(<SearchMain t={en} lang="en" results={null} q={long} error="too long" />)
    expect(tag(invalid, 'input', { id: 'search-q' }).attrs).toMatchObject({
      'aria-invalid': 'true',
      'aria-describedby': 'search-error',
    })
    expect(tags(invalid, 'p', { id: 'search-error' })).toHaveLength(1)
  })
})
