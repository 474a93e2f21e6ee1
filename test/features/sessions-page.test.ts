import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test'
import { exports } from 'cloudflare:workers'
import { eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { createApp } from '../../src/app'
import { sessions } from '../../src/db/schema'
import { summarizeUserAgent } from '../../src/lib/user-agent'
import { ApiClient } from '../api/contract'
import { Client, PASSWORD, db, env, makeUser } from '../helpers'
import { openLive } from '../live-socket'

const FIREFOX_LINUX = 'Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0'
const SAFARI_IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1'

/**
 * A browser with its own User-Agent. With a `country`, it talks to the app as deployed:
 * `ENVIRONMENT=production` and Cloudflare's `request.cf.country`.
 */
function browser(userAgent: string, country?: string, environment = 'production') {
  const client = new Client()
  const app = createApp()
  client.transport = async (request) => {
    const headers = new Headers(request.headers)
    headers.set('User-Agent', userAgent)
    if (!country) return exports.default.fetch(new Request(request, { headers }))
    const ctx = createExecutionContext()
    const cf = { country } as unknown as IncomingRequestCfProperties
    const response = await app.fetch(new Request(request, { headers, cf }), { ...env, ENVIRONMENT: environment }, ctx)
    await waitOnExecutionContext(ctx)
    return response
  }
  return client
}

/** The session id behind a client's cookie. */
function sessionIdOf(client: Client): string {
  return client.cookies.get('session')!.split('.')[0]!
}

/** The rows of the sessions table on the page, as text, in order. */
function sessionRows(html: string): string[] {
  const table = /<table class="settings-table sessions">([\s\S]*?)<\/table>/.exec(html)?.[1] ?? ''
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(table)?.[1] ?? ''
  return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((m) => m[1]!)
}

describe('the User-Agent summary', () => {
  it('keeps the browser with its major version and the system name only', () => {
    expect(summarizeUserAgent(FIREFOX_LINUX)).toEqual({ browser: 'Firefox 133', os: 'Linux' })
    expect(summarizeUserAgent(SAFARI_IPHONE)).toEqual({ browser: 'Safari 17', os: 'iOS' })
    expect(summarizeUserAgent('curl/8.5.0')).toEqual({ browser: null, os: null })
    expect(summarizeUserAgent(undefined)).toEqual({ browser: null, os: null })
    expect(summarizeUserAgent(`${'x'.repeat(5000)} Firefox/1`).browser?.length ?? 0).toBeLessThanOrEqual(40)
  })
})

describe('GET /settings/sessions', () => {
  it('lists every session of yours with device, place, times, and this one marked first', async () => {
    const user = await makeUser()
    const laptop = browser(FIREFOX_LINUX, 'DE')
    await laptop.login(user.username)
    const phone = browser(SAFARI_IPHONE)
    await phone.login(user.username, PASSWORD, { remember: '1' })
    // Someone else's session is not listed.
    const stranger = await makeUser()
    await browser(FIREFOX_LINUX, 'FR').login(stranger.username)

    const response = await phone.get('/settings/sessions')
    expect(response.status).toBe(200)
    expect(response.headers.get('cache-control')).toContain('no-store')
    const html = await response.text()
    const rows = sessionRows(html)
    expect(rows).toHaveLength(2)
    expect(rows[0]).toContain('Safari 17 on iOS')
    expect(rows[0]).toContain('This device')
    expect(rows[0]).toContain('<td>Unknown</td>')
    expect(rows[1]).toContain('Firefox 133 on Linux')
    expect(rows[1]).toContain('<td>Germany</td>')
    expect(rows[1]).not.toContain('This device')
    // Created and last-used times, as <time datetime>.
    expect(rows[1]!.match(/<time datetime="/g)).toHaveLength(2)
    expect(rows[1]).toContain(`name="session" value="${sessionIdOf(laptop)}"`)
    expect(html).not.toContain('France')
    // Never a secret.
    expect(html).not.toContain(phone.cookies.get('session')!.split('.')[1])
    expect(html).not.toContain(laptop.cookies.get('session')!.split('.')[1])
  })

  it('names the place in the reader’s language, and expired sessions are gone', async () => {
    const user = await makeUser()
    const laptop = browser(FIREFOX_LINUX, 'DE')
    await laptop.login(user.username)
    const old = browser(FIREFOX_LINUX, 'JP')
    await old.login(user.username)
    await db
      .update(sessions)
      .set({ expiresAt: Date.now() - 1 })
      .where(eq(sessions.id, sessionIdOf(old)))
    const html = await (await laptop.get('/settings/sessions', { headers: { 'Accept-Language': 'es' } })).text()
    expect(html).toContain('Alemania')
    expect(html).not.toContain('Japón')
    expect(sessionRows(html)).toHaveLength(1)
  })

  it('leaves the place unknown outside production, where request.cf is a placeholder', async () => {
    const user = await makeUser()
    const local = browser(FIREFOX_LINUX, 'US', 'development')
    await local.login(user.username)
    const rows = sessionRows(await (await local.get('/settings/sessions')).text())
    expect(rows[0]).toContain('<td>Unknown</td>')
    expect(rows[0]).not.toContain('United States')
  })

  it('sends visitors to the login page', async () => {
    const response = await new Client().get('/settings/sessions')
    expect(response.status).toBe(303)
    expect(response.headers.get('location')).toBe('/auth/login?next=%2Fsettings%2Fsessions')
  })

  it('writes "last used" at most every few minutes, not on every request', async () => {
    const user = await makeUser()
    const client = browser(FIREFOX_LINUX)
    await client.login(user.username)
    const id = sessionIdOf(client)
    const lastUsed = async () =>
      (await db.select({ at: sessions.lastUsedAt }).from(sessions).where(eq(sessions.id, id)).get())!.at
    const setLastUsed = (at: number) => db.update(sessions).set({ lastUsedAt: at }).where(eq(sessions.id, id))

    // Used a minute ago: another request writes nothing.
    const recent = Date.now() - 60_000
    await setLastUsed(recent)
    for (let i = 0; i < 3; i++) expect((await client.get('/')).status).toBe(200)
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(await lastUsed()).toBe(recent)

    // Used ten minutes ago: the next request moves it to now (after the answer).
    await setLastUsed(Date.now() - 10 * 60_000)
    const before = Date.now()
    expect((await client.get('/')).status).toBe(200)
    const deadline = Date.now() + 5000
    while ((await lastUsed()) < before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
    expect(await lastUsed()).toBeGreaterThanOrEqual(before)
  })
})

describe('POST /settings/sessions/revoke', () => {
  it('logs that browser out on its next request, and only that one', async () => {
    const user = await makeUser()
    const laptop = browser(FIREFOX_LINUX)
    await laptop.login(user.username)
    const phone = browser(SAFARI_IPHONE)
    await phone.login(user.username)
    const third = browser(FIREFOX_LINUX)
    await third.login(user.username)

    const response = await laptop.post('/settings/sessions/revoke', { session: sessionIdOf(phone) })
    expect(response.status).toBe(303)
    expect(response.headers.get('location')).toBe('/settings/sessions')
    expect(await (await laptop.get('/settings/sessions')).text()).toContain('That browser has been logged out.')

    const next = await phone.get('/')
    expect(next.status).toBe(303)
    expect(next.headers.get('location')).toMatch(/^\/auth\/login/)
    expect((await third.get('/')).status).toBe(200)
    expect((await laptop.get('/')).status).toBe(200)
  })

  it("cannot end another member's session, cross-site or anonymously; a bad id is a 400", async () => {
    const owner = await makeUser()
    const victim = browser(FIREFOX_LINUX)
    await victim.login(owner.username)
    const other = await makeUser()
    const attacker = browser(FIREFOX_LINUX)
    await attacker.login(other.username)

    expect((await attacker.post('/settings/sessions/revoke', { session: sessionIdOf(victim) })).status).toBe(404)
    const ownerTab = browser(SAFARI_IPHONE)
    await ownerTab.login(owner.username)
    const crossSite = await ownerTab.post(
      '/settings/sessions/revoke',
      { session: sessionIdOf(victim) },
      { origin: 'https://evil.example' },
    )
    expect(crossSite.status).toBe(403)
    const anonymous = await new Client().post('/settings/sessions/revoke', { session: sessionIdOf(victim) })
    expect(anonymous.status).toBe(303)
    expect(anonymous.headers.get('location')).toMatch(/^\/auth\/login/)
    expect((await ownerTab.post('/settings/sessions/revoke', { session: 'not-a-session' })).status).toBe(400)
    expect((await victim.get('/')).status).toBe(200)
  })

  it('closes the live sockets of the session it ends at once, and no others', async () => {
    const user = await makeUser()
    const laptop = new Client()
    await laptop.login(user.username)
    const phone = new Client()
    await phone.login(user.username)
    const phoneLive = await openLive(phone)
    const laptopLive = await openLive(laptop)
    expect((await laptop.post('/settings/sessions/revoke', { session: sessionIdOf(phone) })).status).toBe(303)
    expect(await phoneLive.closedWithin()).toMatchObject({ code: 1008 })
    expect(laptopLive.isClosed()).toBe(false)
  })

  it('ending this very session logs this browser out', async () => {
    const user = await makeUser()
    const client = browser(FIREFOX_LINUX)
    await client.login(user.username)
    const response = await client.post('/settings/sessions/revoke', { session: sessionIdOf(client) })
    expect(response.status).toBe(303)
    expect(response.headers.get('location')).toBe('/auth/login')
    expect(client.cookies.has('session')).toBe(false)
  })
})

describe('POST /settings/sessions/revoke-others', () => {
  it('logs out every other browser and keeps this one', async () => {
    const user = await makeUser()
    const keep = browser(FIREFOX_LINUX)
    const others = [browser(SAFARI_IPHONE), browser(FIREFOX_LINUX), browser(SAFARI_IPHONE)]
    for (const client of others) await client.login(user.username)
    await keep.login(user.username)
    expect(await (await keep.get('/settings/sessions')).text()).toContain('Log out everywhere else (3 sessions)')

    const sockets = await Promise.all(others.map((client) => openLive(client)))
    const own = await openLive(keep)
    const response = await keep.post('/settings/sessions/revoke-others')
    expect(response.status).toBe(303)
    for (const live of sockets) expect(await live.closedWithin()).toMatchObject({ code: 1008 })
    expect(own.isClosed()).toBe(false)
    for (const client of others) expect((await client.get('/')).status).toBe(303)
    expect((await keep.get('/')).status).toBe(200)
    const html = await (await keep.get('/settings/sessions')).text()
    expect(sessionRows(html)).toHaveLength(1)
    expect(html).toContain('No other browser is signed in.')
  })
})

describe('API tokens on the sessions page', () => {
  it('lists tokens by name with their last use, made from the API or from the page', async () => {
    const user = await makeUser()
    const client = browser(FIREFOX_LINUX)
    await client.login(user.username)
    const api = new ApiClient()
    const named = await api.api('POST', '/api/tokens', {
      basic: [user.username, PASSWORD],
      json: { name: '  backup   script ' },
    })
    expect(named.status).toBe(201)
    const { token } = (await named.json()) as { token: string }
    await api.api('GET', '/api/timeline', { token })

    const made = await client.post('/settings/api-tokens', { name: 'Phone app', remember: '1' })
    expect(made.status).toBe(200)
    expect(made.headers.get('cache-control')).toContain('no-store')
    const shown = /id="new-token"[^>]*value="([a-z2-7]{24}\.[a-z2-7]{24})"/.exec(await made.text())?.[1]
    expect(shown).toBeTruthy()
    expect((await api.api('GET', '/api/timeline', { token: shown! })).status).toBe(200)

    const html = await (await client.get('/settings/sessions')).text()
    expect(html).toContain('backup script')
    expect(html).toContain('Phone app')
    // The page never shows a secret again.
    expect(html).not.toContain(shown!.split('.')[1])
    expect(html).not.toContain(token.split('.')[1])
    const row = new RegExp(`<tr id="token-${token.split('.')[0]}">([\\s\\S]*?)</tr>`).exec(html)![1]!
    expect(row).not.toContain('Never')
    expect(row).toContain(`/settings/api-tokens/${token.split('.')[0]}/revoke`)
  })

  it('keeps what was typed when the name is refused', async () => {
    const user = await makeUser()
    const client = browser(FIREFOX_LINUX)
    await client.login(user.username)
    const blank = await client.post('/settings/api-tokens', { name: '   ', remember: '1' })
    expect(blank.status).toBe(422)
    const html = await blank.text()
    expect(html).toContain('Give the token a name.')
    expect(html).toMatch(/id="field-remember"[^>]*checked/)
    const long = await client.post('/settings/api-tokens', { name: 'n'.repeat(51) })
    expect(long.status).toBe(422)
    expect(await long.text()).toContain(`value="${'n'.repeat(51)}"`)
  })

  it('sends the old address to the new page', async () => {
    const response = await new Client().get('/settings/api-tokens')
    expect(response.status).toBe(301)
    expect(response.headers.get('location')).toBe('/settings/sessions#api-tokens')
  })
})
