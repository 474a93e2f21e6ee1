import { eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { sessions, users } from '../../src/db/schema'
import { createSession } from '../../src/middleware/session-store'
import { Client, PASSWORD, db, makeUser, uniqueName } from '../helpers'

function register(client: Client, fields: Partial<Record<'username' | 'email' | 'password' | 'password2', string>>) {
  const username = fields.username ?? uniqueName('r')
  return client.post('/auth/register', {
    username,
    email: fields.email ?? `${username.toLowerCase()}@example.com`,
    password: fields.password ?? 'a fine password',
    password2: fields.password2 ?? fields.password ?? 'a fine password',
  })
}

describe('POST /auth/register', () => {
  it('creates the account, logs in and redirects home', async () => {
    const client = new Client()
    const username = uniqueName('New_')
    const response = await register(client, { username, email: `  ${username}@Example.COM ` })
    expect(response.status).toBe(303)
    expect(response.headers.get('location')).toBe('/')
    const home = await client.get('/')
    expect(home.status).toBe(200)
    expect(await home.text()).toContain(username)
    const row = await db.select().from(users).where(eq(users.username, username)).get()
    expect(row?.email).toBe(`${username.toLowerCase()}@example.com`)
    expect(row?.passwordHash).toMatch(/^scrypt\$/)
  })

  it('shows errors next to each field and keeps typed values, never passwords', async () => {
    const response = await register(new Client(), {
      username: 'no spaces!',
      email: 'not-an-email',
      password: 'short',
      password2: 'other',
    })
    expect(response.status).toBe(422)
    const html = await response.text()
    expect(html).toContain('value="no spaces!"')
    expect(html).toContain('value="not-an-email"')
    expect(html).not.toContain('value="short"')
    expect(html).toMatch(/id="field-username-error"[^>]*>Use 3–32 letters/)
    expect(html).toContain('aria-describedby="field-username-error')
    expect(html).toContain('Please enter a valid email address.')
    expect(html).toContain('Use at least 8 characters.')
  })

  it('refuses common passwords and mismatched repeats', async () => {
    let html = await (await register(new Client(), { password: 'password123' })).text()
    expect(html).toContain('That password is too common')
    html = await (await register(new Client(), { password: 'a fine password', password2: 'another one' })).text()
    expect(html).toContain('The passwords do not match.')
  })

  it('keeps usernames unique case-insensitively and emails unique', async () => {
    const user = await makeUser(uniqueName('Taken'))
    let response = await register(new Client(), { username: user.username.toUpperCase(), email: 'x1@example.com' })
    expect(response.status).toBe(422)
    expect(await response.text()).toContain('That username is taken')
    response = await register(new Client(), { email: user.email.toUpperCase() })
    expect(response.status).toBe(422)
    expect(await response.text()).toContain('That email address already has an account.')
  })

  it('limits registrations per address', async () => {
    const client = new Client('192.0.2.77')
    let last: Response | undefined
    for (let i = 0; i < 12; i++) last = await register(client, { username: 'bad name' })
    expect(last!.status).toBe(429)
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0)
  })
})

describe('POST /auth/login', () => {
  it('logs in with the username or the email and redirects to a safe next', async () => {
    const user = await makeUser()
    const byName = await new Client().login(user.username, PASSWORD, { next: '/user/' + user.username })
    expect(byName.headers.get('location')).toBe('/user/' + user.username)
    const byEmail = await new Client().login(user.email.toUpperCase(), PASSWORD, { next: '//evil.com' })
    expect(byEmail.headers.get('location')).toBe('/')
  })

  it('gives the same message for an unknown user and a wrong password, and keeps next', async () => {
    const user = await makeUser()
    const wrong = await new Client().post('/auth/login', {
      login: user.username,
      password: 'wrong pass',
      next: '/explore',
    })
    const unknown = await new Client().post('/auth/login', {
      login: 'nobody_here',
      password: 'wrong pass',
      next: '/explore',
    })
    expect(wrong.status).toBe(422)
    expect(unknown.status).toBe(422)
    const a = await wrong.text()
    const b = await unknown.text()
    expect(a).toContain('Invalid username or password')
    expect(b).toContain('Invalid username or password')
    expect(a).toContain('name="next" value="/explore"')
    expect(a.replace(user.username, 'X')).toBe(b.replace('nobody_here', 'X'))
  })

  it('changes the session cookie at login and never promotes a pre-login session', async () => {
    const user = await makeUser()
    const client = new Client()
    client.cookies.set('session', 'planted0000000000000000.planted0000000000000000')
    await client.login(user.username)
    const first = client.cookies.get('session')
    expect(first).toBeDefined()
    expect(first).not.toContain('planted')
    await client.post('/auth/login', { login: user.username, password: PASSWORD })
    expect(client.cookies.get('session')).not.toBe(first)
    // The old session row is gone.
    const oldId = first!.split('.')[0]!
    expect(await db.select().from(sessions).where(eq(sessions.id, oldId)).get()).toBeUndefined()
  })

  it('sets HttpOnly, SameSite=Lax cookies; persistent only with remember me', async () => {
    const user = await makeUser()
    const plain = await new Client().login(user.username)
    const plainCookie = plain.headers.getSetCookie().find((c) => c.startsWith('session='))!
    expect(plainCookie).toMatch(/HttpOnly/i)
    expect(plainCookie).toMatch(/SameSite=Lax/i)
    expect(plainCookie).toMatch(/Path=\//)
    expect(plainCookie).not.toMatch(/Max-Age/i)
    const remembered = await new Client().login(user.username, PASSWORD, { remember: '1' })
    const rememberedCookie = remembered.headers.getSetCookie().find((c) => c.startsWith('session='))!
    expect(rememberedCookie).toMatch(/Max-Age=2592000/)
  })

  it('uses a __Host- cookie with Secure over https', async () => {
    const user = await makeUser()
    const { exports } = await import('cloudflare:workers')
    const response = await exports.default.fetch(
      new Request('https://microblog.example/auth/login', {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: 'https://microblog.example' },
        body: new URLSearchParams({ login: user.username, password: PASSWORD }),
        redirect: 'manual',
      }),
    )
    expect(response.status).toBe(303)
    const cookie = response.headers.getSetCookie().find((c) => c.startsWith('__Host-session='))
    expect(cookie).toMatch(/Secure/)
    expect(cookie).toMatch(/HttpOnly/)
  })

  it('answers 429 with Retry-After after repeated failures from one address', async () => {
    const user = await makeUser()
    const client = new Client('198.51.100.9')
    const statuses: number[] = []
    // Different (unknown) names each time, so only the per-address counter can trip.
    for (let i = 0; i < 20; i++) {
      statuses.push((await client.post('/auth/login', { login: `guess${i}`, password: 'wrong pass' })).status)
    }
    expect(statuses).toEqual(Array(20).fill(422))
    const limited = await client.post('/auth/login', { login: user.username, password: PASSWORD })
    expect(limited.status).toBe(429)
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(await limited.text()).toContain('Too many login attempts')
    expect(limited.headers.getSetCookie().some((c) => c.includes('session='))).toBe(false)
    // Another address is unaffected.
    expect((await new Client().post('/auth/login', { login: user.username, password: PASSWORD })).status).toBe(303)
  })
})

describe('sessions', () => {
  it('refuses the old token after logout, and logout is POST only', async () => {
    const user = await makeUser()
    const client = new Client()
    await client.login(user.username)
    const token = client.cookies.get('session')!
    expect((await client.get('/logout')).status).toBe(404)
    expect((await client.get('/auth/logout')).status).toBe(303)
    expect((await client.get('/')).status).toBe(200)
    const out = await client.post('/auth/logout')
    expect(out.status).toBe(303)
    expect(client.cookies.has('session')).toBe(false)
    const replay = new Client()
    replay.cookies.set('session', token)
    const response = await replay.get('/')
    expect(response.status).toBe(303)
    expect(response.headers.get('location')).toBe('/auth/login?next=%2F')
  })

  it('refuses an expired session and a wrong secret of the right shape', async () => {
    const user = await makeUser()
    const old = Date.now() - 2 * 24 * 3600 * 1000
    const { token } = await createSession(db, user.id, false, old)
    const client = new Client()
    client.cookies.set('session', token)
    expect((await client.get('/')).status).toBe(303)

    const fresh = await createSession(db, user.id, false)
    const [id, secret] = fresh.token.split('.') as [string, string]
    const forged = `${id}.${secret.slice(0, -1)}${secret.endsWith('a') ? 'b' : 'a'}`
    const attacker = new Client()
    attacker.cookies.set('session', forged)
    expect((await attacker.get('/')).status).toBe(303)
    const owner = new Client()
    owner.cookies.set('session', fresh.token)
    expect((await owner.get('/')).status).toBe(200)
  })
  // The sliding expiry (refreshed with less than half its lifetime left) is tested in
  // session-path.test.ts, where the work left to waitUntil can be awaited.
})

describe('login required', () => {
  it('redirects anonymous visitors to login with next', async () => {
    const response = await new Client().get('/settings/profile')
    expect(response.status).toBe(303)
    expect(response.headers.get('location')).toBe('/auth/login?next=%2Fsettings%2Fprofile')
  })

  it('answers htmx requests with 401 and HX-Redirect', async () => {
    const response = await new Client().get('/?before=1-1', { htmx: true })
    expect(response.status).toBe(401)
    expect(response.headers.get('HX-Redirect')).toBe('/auth/login?next=%2F%3Fbefore%3D1-1')
  })

  it('shows the login page with a sanitized next', async () => {
    const html = await (await new Client().get('/auth/login?next=https://evil.com')).text()
    expect(html).toContain('name="next" value="/"')
  })
})
