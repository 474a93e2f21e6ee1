import { eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { createApp } from '../../src/app'
import { posts, users } from '../../src/db/schema'
import { getUserById } from '../../src/features/users/queries'
import { Client, PASSWORD, db, loggedIn, makeUser, uniqueName } from '../helpers'

const XSS = ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>']

/** Every cookie-authenticated route that changes state, read from the app itself (not /api: bearer tokens). */
function unsafeRoutes(): Array<{ method: string; path: string }> {
  const seen = new Set<string>()
  return createApp().routes.filter((route) => {
    const key = `${route.method} ${route.path}`
    if (!['POST', 'PUT', 'PATCH', 'DELETE'].includes(route.method) || route.path.startsWith('/api/') || seen.has(key))
      return false
    seen.add(key)
    return true
  })
}

describe('CSRF', () => {
  it('refuses cross-site POSTs to every state-changing route and changes nothing', async () => {
    const { user, client } = await loggedIn()
    const other = await makeUser()
    const [post] = await db
      .insert(posts)
      .values({ userId: other.id, body: 'a post', createdAt: Date.now() })
      .returning()
    const evil = { origin: 'https://evil.example' }
    const name = uniqueName('csrf')
    // Forms that would succeed if the request were not refused; other routes get an empty form.
    const forms: Record<string, Record<string, string>> = {
      'POST /': { body: 'forged post' },
      'POST /settings/profile': { username: 'hijacked', about_me: 'forged' },
      'POST /auth/login': { login: user.username, password: PASSWORD },
      'POST /auth/register': {
        username: name,
        email: `${name}@example.com`,
        password: 'a fine password',
        password2: 'a fine password',
      },
    }
    const params: Record<string, string> = { username: other.username, token: 'a'.repeat(32) }
    const attempts = unsafeRoutes().map(({ method, path }) => {
      const url = path.replace(/:(\w+)(\{[^}]*\})?/g, (_, param: string) => params[param] ?? String(post!.id))
      return [method, url, forms[`${method} ${path}`] ?? {}] as const
    })
    // The list comes from the app, so it covers routes nobody remembered to add here.
    const listed = unsafeRoutes().map((r) => `${r.method} ${r.path}`)
    expect(listed).toEqual(expect.arrayContaining(['POST /auth/reset-password/:token', 'POST /follow/:username']))
    for (const [method, path, form] of attempts) {
      const response = await client.fetch(path, {
        method,
        body: new URLSearchParams(form),
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        ...evil,
      })
      expect(response.status, `${method} ${path}`).toBe(403)
      const html = await response.text()
      expect(html).toContain('Not allowed')
      expect(html).toContain('<nav')
    }
    // Also with no Origin at all but a cross-site Sec-Fetch-Site.
    expect(
      (await client.post('/', { body: 'x' }, { origin: null, headers: { 'Sec-Fetch-Site': 'cross-site' } })).status,
    ).toBe(403)

    const after = await getUserById(db, user.id)
    expect(after!.username).toBe(user.username)
    expect(after!.aboutMe).toBe('')
    expect(after!.followingCount).toBe(0)
    expect(await db.select().from(posts).where(eq(posts.userId, user.id)).all()).toEqual([])
    expect(await db.select().from(users).where(eq(users.username, name)).get()).toBeUndefined()
    expect(await db.select().from(posts).where(eq(posts.id, post!.id)).get()).toBeDefined()
    // The session survived the forged logout.
    expect((await client.get('/')).status).toBe(200)
  })

  it("answers a refused request in the reader's language", async () => {
    const response = await new Client().post(
      '/',
      { body: 'x' },
      { origin: 'https://evil.example', headers: { 'Accept-Language': 'es' } },
    )
    expect(response.status).toBe(403)
    expect(await response.text()).toMatch(/^<!DOCTYPE html><html lang="es">/)
  })

  it('refuses non-form bodies on cookie routes', async () => {
    const { client } = await loggedIn()
    const response = await client.fetch('/', {
      method: 'POST',
      body: JSON.stringify({ body: 'json post' }),
      headers: { 'Content-Type': 'application/json' },
    })
    expect(response.status).toBe(415)
  })
})

describe('escaping user text', () => {
  it('shows posts and about-me markup as text on timeline, profile and explore', async () => {
    const { user, client } = await loggedIn()
    for (const payload of XSS) expect((await client.post('/', { body: payload })).status).toBe(303)
    expect((await client.post('/settings/profile', { username: user.username, about_me: XSS.join(' ') })).status).toBe(
      303,
    )
    const pages = [await client.get('/'), await client.get(`/user/${user.username}`), await client.get('/explore')]
    for (const response of pages) {
      const html = await response.text()
      expect(html).not.toContain('<script>alert(1)</script>')
      expect(html).not.toContain('<img src=x onerror=alert(1)>')
      expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
      expect(html).toMatch(/&quot;&gt;&lt;img src=x onerror=alert\(1\)&gt;/)
    }
  })

  it('makes only http(s) links clickable, with rel="nofollow noopener ugc"', async () => {
    const { client } = await loggedIn()
    await client.post('/', { body: 'see https://example.com/x and javascript:alert(1)' })
    const html = await (await client.get('/')).text()
    expect(html).toContain('<a href="https://example.com/x" rel="nofollow noopener ugc"')
    expect(html).not.toContain('href="javascript:')
  })
})

describe('headers', () => {
  it('sends a CSP that allows only self-hosted scripts and styles', async () => {
    const response = await new Client().get('/auth/login')
    const csp = response.headers.get('content-security-policy')!
    expect(csp).toContain("script-src 'self'")
    expect(csp).toContain("style-src 'self'")
    expect(csp).toContain("frame-ancestors 'none'")
    expect(response.headers.get('x-content-type-options')).toBe('nosniff')
    const html = await response.text()
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/)
    expect(html).not.toMatch(/\sstyle="/)
  })

  it('loads every image of a page with images from a source the CSP allows', async () => {
    const { user, client } = await loggedIn()
    await client.post('/', { body: 'a post with an avatar next to it' })
    const response = await client.get(`/user/${user.username}`)
    const csp = response.headers.get('content-security-policy')!
    const imgSrc = /img-src ([^;]+)/.exec(csp)![1]!.split(' ')
    const html = await response.text()
    const sources = [...html.matchAll(/<img\b[^>]*\ssrc="([^"]+)"/g)].map((m) => m[1]!.replaceAll('&amp;', '&'))
    // The profile avatar and the post's avatar at least: the check below is not vacuous.
    expect(sources.length).toBeGreaterThanOrEqual(2)
    for (const src of sources) {
      const url = new URL(src, 'http://localhost')
      const allowed =
        (url.origin === 'http://localhost' && imgSrc.includes("'self'")) ||
        imgSrc.includes(url.origin) ||
        (url.protocol === 'data:' && imgSrc.includes('data:'))
      expect(allowed, src).toBe(true)
    }
  })
})
