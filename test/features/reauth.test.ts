import { eq, sql } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { apiTokens, emailChangeTokens, sessions } from '../../src/db/schema'
import { REAUTH_LIMIT, RECENT_LOGIN_MS } from '../../src/features/account/reauth'
import { hitRateLimit } from '../../src/middleware/rate-limit'
import { Client, PASSWORD, db, makeUser } from '../helpers'

function sessionIdOf(client: Client): string {
  return client.cookies.get('session')!.split('.')[0]!
}

/** A member whose password was last typed in this browser more than ten minutes ago. */
async function staleMember() {
  const user = await makeUser()
  const client = new Client()
  await client.login(user.username)
  await db
    .update(sessions)
    .set({ reauthenticatedAt: Date.now() - RECENT_LOGIN_MS - 60_000 })
    .where(eq(sessions.id, sessionIdOf(client)))
  return { user, client }
}

async function otherBrowsers(username: string, count: number) {
  const clients = Array.from({ length: count }, () => new Client())
  for (const client of clients) await client.login(username)
  return clients
}

const hidden = (html: string, name: string) =>
  new RegExp(`<input type="hidden" name="${name}" value="([^"]*)"`).exec(html)?.[1]

describe('re-authentication before sensitive changes', () => {
  it('asks for the password before logging out everywhere else, then does it', async () => {
    const { user, client } = await staleMember()
    const others = await otherBrowsers(user.username, 2)

    const ask = await client.post('/settings/sessions/revoke-others')
    expect(ask.status).toBe(200)
    expect(ask.headers.get('cache-control')).toContain('no-store')
    const page = await ask.text()
    expect(page).toContain('Confirm your password')
    expect(page).toContain('You are about to log out every other browser.')
    expect(page).toContain('action="/settings/sessions/revoke-others"')
    expect(page).toContain('autocomplete="current-password"')
    // Nothing happened yet.
    for (const other of others) expect((await other.get('/')).status).toBe(200)

    const wrong = await client.post('/settings/sessions/revoke-others', { current_password: 'not my password' })
    expect(wrong.status).toBe(422)
    expect(await wrong.text()).toContain('That is not your current password.')
    for (const other of others) expect((await other.get('/')).status).toBe(200)

    const right = await client.post('/settings/sessions/revoke-others', { current_password: PASSWORD })
    expect(right.status).toBe(303)
    for (const other of others) expect((await other.get('/')).status).toBe(303)
    expect((await client.get('/')).status).toBe(200)

    // The password was just typed: the next sensitive change within ten minutes goes straight through.
    await otherBrowsers(user.username, 1)
    expect((await client.post('/settings/sessions/revoke-others')).status).toBe(303)
  })

  it('lets a fresh login through without asking', async () => {
    const user = await makeUser()
    const client = new Client()
    await client.login(user.username)
    const [other] = await otherBrowsers(user.username, 1)
    expect((await client.post('/settings/sessions/revoke-others')).status).toBe(303)
    expect((await other!.get('/')).status).toBe(303)
  })

  it('keeps the token name typed before the confirm step, and never carries a password in it', async () => {
    const { user, client } = await staleMember()
    const ask = await client.post('/settings/api-tokens', { name: 'Nightly <backup>', remember: '1' })
    expect(ask.status).toBe(200)
    const page = await ask.text()
    expect(page).toContain('You are about to create an API token.')
    expect(hidden(page, 'name')).toBe('Nightly &lt;backup&gt;')
    expect(hidden(page, 'remember')).toBe('1')
    expect(await db.select().from(apiTokens).where(eq(apiTokens.userId, user.id))).toHaveLength(0)

    // A wrong password: the step again, the name still kept, and no password in the page.
    const wrong = await client.post('/settings/api-tokens', {
      name: 'Nightly <backup>',
      remember: '1',
      current_password: 'guess one',
    })
    expect(wrong.status).toBe(422)
    const again = await wrong.text()
    expect(hidden(again, 'name')).toBe('Nightly &lt;backup&gt;')
    expect(again).not.toContain('guess one')

    const done = await client.post('/settings/api-tokens', {
      name: 'Nightly <backup>',
      remember: '1',
      current_password: PASSWORD,
    })
    expect(done.status).toBe(200)
    expect(await done.text()).toContain('Your new token “Nightly &lt;backup&gt;”')
    const [token] = await db.select().from(apiTokens).where(eq(apiTokens.userId, user.id))
    expect(token!.name).toBe('Nightly <backup>')
    expect(token!.expiresAt - token!.createdAt).toBe(30 * 24 * 3600_000)
  })

  it('asks before an email change, keeping the address typed', async () => {
    const { user, client } = await staleMember()
    const ask = await client.post('/settings/email', { email: 'new-home@example.com' })
    expect(ask.status).toBe(200)
    const page = await ask.text()
    expect(page).toContain('You are about to change your email address.')
    expect(hidden(page, 'email')).toBe('new-home@example.com')
    expect(await db.select().from(emailChangeTokens).where(eq(emailChangeTokens.userId, user.id))).toHaveLength(0)

    const done = await client.post('/settings/email', { email: 'new-home@example.com', current_password: PASSWORD })
    expect(done.status).toBe(303)
    expect(await db.select().from(emailChangeTokens).where(eq(emailChangeTokens.userId, user.id))).toHaveLength(1)
  })

  it('counts wrong passwords per member, racing or not, and then refuses even the right one', async () => {
    const { user, client } = await staleMember()
    const guesses = await Promise.all(
      Array.from({ length: REAUTH_LIMIT.limit + 5 }, (_, i) =>
        client.post('/settings/sessions/revoke-others', { current_password: `guess ${i}` }),
      ),
    )
    const statuses = guesses.map((r) => r.status)
    expect(statuses.filter((s) => s === 422)).toHaveLength(REAUTH_LIMIT.limit)
    expect(statuses.filter((s) => s === 429)).toHaveLength(5)
    const limited = await client.post('/settings/sessions/revoke-others', { current_password: PASSWORD })
    expect(limited.status).toBe(429)
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0)
    const row = await db.get<{ count: number }>(
      sql`SELECT count FROM rate_limits WHERE key = ${`reauth:user:${user.id}`}`,
    )
    expect(row!.count).toBeGreaterThan(REAUTH_LIMIT.limit)
  })

  it('gives back the attempt a right password cost', async () => {
    const { user, client } = await staleMember()
    for (let i = 0; i < REAUTH_LIMIT.limit - 1; i++) await hitRateLimit(db, `reauth:user:${user.id}`, REAUTH_LIMIT)
    expect((await client.post('/settings/sessions/revoke-others', { current_password: PASSWORD })).status).toBe(303)
    const row = await db.get<{ count: number }>(
      sql`SELECT count FROM rate_limits WHERE key = ${`reauth:user:${user.id}`}`,
    )
    expect(row!.count).toBe(REAUTH_LIMIT.limit - 1)
  })

  it('refuses the confirm step cross-site and sends visitors to log in', async () => {
    const { client } = await staleMember()
    const crossSite = await client.post(
      '/settings/sessions/revoke-others',
      { current_password: PASSWORD },
      { origin: 'https://evil.example' },
    )
    expect(crossSite.status).toBe(403)
    const visitor = await new Client().post('/settings/email', { email: 'x@example.com' })
    expect(visitor.status).toBe(303)
    expect(visitor.headers.get('location')).toMatch(/^\/auth\/login/)
  })
})
