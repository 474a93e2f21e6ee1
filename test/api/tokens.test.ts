import { env } from 'cloudflare:workers'
import { sha256 } from '@oslojs/crypto/sha2'
import { encodeHexLowerCase } from '@oslojs/encoding'
import { eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { apiTokens } from '../../src/db/schema'
import { updatePasswordHash } from '../../src/features/users/queries'
import { Client, db, loggedIn, makeUser, PASSWORD } from '../helpers'
import { ApiClient } from './contract'

const HOUR = 3600_000

async function tokenBody(response: Response) {
  return (await response.json()) as { token: string; expires_at: string }
}

describe('POST /api/tokens', () => {
  it('gives a 1-hour token for HTTP Basic (username or email) and stores only its hash', async () => {
    const user = await makeUser()
    const api = new ApiClient()
    const before = Date.now()
    const response = await api.api('POST', '/api/tokens', { basic: [user.email, PASSWORD] })
    expect(response.status).toBe(201)
    expect(response.headers.get('cache-control')).toBe('no-store')
    const { token, expires_at } = await tokenBody(response)
    const expires = Date.parse(expires_at)
    expect(expires - before).toBeGreaterThanOrEqual(HOUR)
    expect(expires - Date.now()).toBeLessThanOrEqual(HOUR)

    const [id, secret] = token.split('.') as [string, string]
    const row = await db.select().from(apiTokens).where(eq(apiTokens.id, id)).get()
    expect(row?.secretHash).toBe(encodeHexLowerCase(sha256(new TextEncoder().encode(secret))))
    const raw = await env.DB.prepare('SELECT * FROM api_tokens WHERE id = ?').bind(id).first()
    expect(JSON.stringify(raw)).not.toContain(secret)

    const me = await api.api('GET', `/api/users/${user.id}`, { token })
    expect(me.status).toBe(200)
    expect(((await me.json()) as { email?: string }).email).toBe(user.email)
  })

  it('gives 30 days with "remember": true', async () => {
    const user = await makeUser()
    const api = new ApiClient()
    const response = await api.api('POST', '/api/tokens', {
      basic: [user.username, PASSWORD],
      json: { remember: true },
    })
    expect(response.status).toBe(201)
    const days = (Date.parse((await tokenBody(response)).expires_at) - Date.now()) / (24 * HOUR)
    expect(days).toBeGreaterThan(29.9)
    expect(days).toBeLessThanOrEqual(30)
  })

  it('refuses a wrong password, an unknown user and a missing header with 401 + WWW-Authenticate', async () => {
    const user = await makeUser()
    const api = new ApiClient()
    for (const basic of [
      [user.username, 'wrong password'],
      ['nobody_here', PASSWORD],
    ] as [string, string][]) {
      const response = await api.api('POST', '/api/tokens', { basic })
      expect(response.status).toBe(401)
      expect(response.headers.get('www-authenticate')).toMatch(/^Basic /)
      expect(await response.json()).toMatchObject({ error: 'unauthorized' })
    }
    const none = await api.api('POST', '/api/tokens')
    expect(none.status).toBe(401)
    expect(none.headers.get('www-authenticate')).toBeTruthy()
  })

  it('answers 400 to malformed JSON and 415 to a body that is not JSON', async () => {
    const user = await makeUser()
    const api = new ApiClient()
    const basic: [string, string] = [user.username, PASSWORD]
    const bad = await api.api('POST', '/api/tokens', {
      basic,
      body: '{"remember":',
      headers: { 'Content-Type': 'application/json' },
    })
    expect(bad.status).toBe(400)
    expect(await bad.json()).toMatchObject({ error: 'bad_request' })
    const form = await api.api('POST', '/api/tokens', {
      basic,
      body: 'remember=1',
      headers: { 'Content-Type': 'text/plain' },
    })
    expect(form.status).toBe(415)
    expect(await form.json()).toMatchObject({ error: 'unsupported_media_type' })
  })

  it('counts failed Basic logins against the login form limits (and the other way round)', async () => {
    const user = await makeUser()
    const api = new ApiClient()
    // Ten failures on the account from one address (the form's limit), concurrently.
    const failures = await Promise.all(
      Array.from({ length: 10 }, () => api.api('POST', '/api/tokens', { basic: [user.username, 'nope nope'] })),
    )
    expect(failures.every((r) => r.status === 401)).toBe(true)
    const locked = await api.api('POST', '/api/tokens', { basic: [user.username, PASSWORD] })
    expect(locked.status).toBe(429)
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0)
    // The form sees the same lock (the same member from the same address).
    const form = await new Client(api.ip).post('/auth/login', { login: user.email, password: PASSWORD })
    expect(form.status).toBe(429)
  })
})

describe('DELETE /api/tokens', () => {
  it('revokes the token presented; it stops working at once', async () => {
    const user = await makeUser()
    const api = new ApiClient()
    const token = await api.token(user.username, PASSWORD)
    const other = await api.token(user.username, PASSWORD)
    expect((await api.api('DELETE', '/api/tokens', { token })).status).toBe(204)
    const after = await api.api('GET', '/api/timeline', { token })
    expect(after.status).toBe(401)
    expect(after.headers.get('www-authenticate')).toMatch(/^Bearer /)
    expect((await api.api('GET', '/api/timeline', { token: other })).status).toBe(200)
  })

  it('needs a bearer token', async () => {
    const response = await new ApiClient().api('DELETE', '/api/tokens')
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer /)
  })
})

describe('bearer tokens', () => {
  it('refuses a wrong secret of the right shape, garbage and an expired token', async () => {
    const user = await makeUser()
    const api = new ApiClient()
    const token = await api.token(user.username, PASSWORD)
    const [id] = token.split('.') as [string]
    for (const bad of [`${id}.${'a'.repeat(24)}`, 'garbage', `${id}`]) {
      expect((await api.api('GET', '/api/timeline', { token: bad })).status).toBe(401)
    }
    await db
      .update(apiTokens)
      .set({ expiresAt: Date.now() - 1 })
      .where(eq(apiTokens.id, id))
    expect((await api.api('GET', '/api/timeline', { token })).status).toBe(401)
    expect(await db.select().from(apiTokens).where(eq(apiTokens.id, id)).get()).toBeUndefined()
  })

  it('are all revoked when the password changes', async () => {
    const user = await makeUser()
    const api = new ApiClient()
    const token = await api.token(user.username, PASSWORD)
    await updatePasswordHash(db, user.id, 'scrypt$changed')
    expect((await api.api('GET', '/api/timeline', { token })).status).toBe(401)
  })

  it('stop working the moment an account is deleted (before its removal job runs)', async () => {
    const { user, client } = await loggedIn()
    const api = new ApiClient()
    const token = await api.token(user.username, PASSWORD)
    const form = { password: PASSWORD, confirm: user.username }
    const deleted = await client.post('/settings/delete-account', form)
    expect(deleted.status).toBe(303)
    expect((await api.api('GET', '/api/timeline', { token })).status).toBe(401)
    expect((await api.api('GET', `/api/users/${user.id}`)).status).toBe(404)
    expect(await db.select().from(apiTokens).where(eq(apiTokens.userId, user.id))).toEqual([])
  })

  it('ignore cookies: a logged-in browser session does not authenticate under /api', async () => {
    const { client } = await loggedIn()
    const response = await client.fetch('/api/timeline')
    expect(response.status).toBe(401)
    expect(response.headers.get('content-type')).toMatch(/^application\/json/)
  })

  it('CORS is open without credentials, and a cross-site JSON POST needs no CSRF token', async () => {
    const user = await makeUser()
    const api = new ApiClient()
    const token = await api.token(user.username, PASSWORD)
    const preflight = await api.fetch('/api/posts', {
      method: 'OPTIONS',
      origin: 'https://elsewhere.example',
      headers: {
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'authorization,content-type',
      },
    })
    expect(preflight.status).toBe(204)
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*')
    expect(preflight.headers.get('access-control-allow-credentials')).toBeNull()
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/authorization/i)
    const post = await api.api('POST', '/api/posts', {
      token,
      json: { body: 'from another origin' },
      headers: { Origin: 'https://elsewhere.example', 'Sec-Fetch-Site': 'cross-site' },
    })
    expect(post.status).toBe(201)
    expect(post.headers.get('access-control-allow-origin')).toBe('*')
    expect(post.headers.get('access-control-allow-credentials')).toBeNull()
  })
})

describe('API tokens on Settings → Sessions', () => {
  it('lists your tokens (created, last used) and revokes one', async () => {
    const { user, client } = await loggedIn()
    const api = new ApiClient()
    const token = await api.token(user.username, PASSWORD)
    await api.api('GET', '/api/timeline', { token })
    const [id] = token.split('.') as [string]
    const page = await client.get('/settings/sessions')
    expect(page.status).toBe(200)
    const html = await page.text()
    expect(html).toContain(`/settings/api-tokens/${id}/revoke`)
    expect(html).not.toContain(token.split('.')[1])
    expect(html).toContain('Last used')

    const revoked = await client.post(`/settings/api-tokens/${id}/revoke`)
    expect(revoked.status).toBe(303)
    expect((await api.api('GET', '/api/timeline', { token })).status).toBe(401)
    expect(revoked.headers.get('location')).toBe('/settings/sessions#api-tokens')
    expect(await (await client.get('/settings/sessions')).text()).toContain('The token has been revoked.')
  })

  it("cannot revoke someone else's token, nor cross-site, nor anonymously", async () => {
    const owner = await makeUser()
    const api = new ApiClient()
    const token = await api.token(owner.username, PASSWORD)
    const [id] = token.split('.') as [string]
    const { client } = await loggedIn()
    expect((await client.post(`/settings/api-tokens/${id}/revoke`)).status).toBe(404)
    const { client: ownerClient } = await (async () => {
      const c = new Client()
      await c.login(owner.username)
      return { client: c }
    })()
    const crossSite = await ownerClient.post(
      `/settings/api-tokens/${id}/revoke`,
      {},
      { origin: 'https://evil.example' },
    )
    expect(crossSite.status).toBe(403)
    const anonymous = await new Client().get('/settings/sessions')
    expect(anonymous.status).toBe(303)
    expect((await api.api('GET', '/api/timeline', { token })).status).toBe(200)
  })
})
