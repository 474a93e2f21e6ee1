import { eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { posts, users } from '../../src/db/schema'
import { getUserById } from '../../src/features/users/queries'
import { Client, PASSWORD, db, loggedIn, makeUser, uniqueName } from '../helpers'

const XSS = ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>']

describe('CSRF', () => {
  it('refuses cross-site POSTs to every state-changing route and changes nothing', async () => {
    const { user, client } = await loggedIn()
    const other = await makeUser()
    const evil = { origin: 'https://evil.example' }
    const name = uniqueName('csrf')
    const attempts: Array<[string, Record<string, string>]> = [
      ['/', { body: 'forged post' }],
      [`/follow/${other.username}`, {}],
      [`/unfollow/${other.username}`, {}],
      ['/settings/profile', { username: 'hijacked', about_me: 'forged' }],
      ['/auth/logout', {}],
      ['/auth/login', { login: user.username, password: PASSWORD }],
      [
        '/auth/register',
        { username: name, email: `${name}@example.com`, password: 'a fine password', password2: 'a fine password' },
      ],
    ]
    for (const [path, form] of attempts) {
      const response = await client.post(path, form, evil)
      expect(response.status, path).toBe(403)
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
    expect(html).not.toMatch(/src="https?:\/\/(?!www\.gravatar\.com)/)
  })
})
