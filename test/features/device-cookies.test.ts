import { exports } from 'cloudflare:workers'
import { sql } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { LOGIN_LIMITS } from '../../src/features/auth/login-limits'
import { updatePasswordHash } from '../../src/features/users/queries'
import { hashPassword } from '../../src/lib/password'
import { hitRateLimit } from '../../src/middleware/rate-limit'
import { Client, PASSWORD, db, makeUser } from '../helpers'

const wrong = (client: Client, login: string) => client.post('/auth/login', { login, password: 'wrong password' })
const right = (client: Client, login: string) => client.post('/auth/login', { login, password: PASSWORD })

/** Uses up the account's shared (cross-address) budget, as a distributed guesser would. */
async function exhaustAccount(userId: number) {
  const rule = LOGIN_LIMITS.perAccount
  for (let i = 0; i < rule.limit; i++) await hitRateLimit(db, `login:account:user:${userId}`, rule)
}

async function counter(key: string): Promise<number> {
  const row = await db.get<{ count: number } | undefined>(sql`SELECT count FROM rate_limits WHERE key = ${key}`)
  return row?.count ?? 0
}

/** A browser that logged in as `username` once (and so holds a device cookie), then logged out. */
async function knownDevice(username: string, ip?: string) {
  const client = new Client(ip)
  await client.login(username)
  expect(client.cookies.get('device')).toBeTruthy()
  await client.post('/auth/logout')
  return client
}

describe('device cookies (login limits that do not lock the owner out)', () => {
  it('lets a known browser log in while strangers have used up the account budget', async () => {
    const user = await makeUser()
    const owner = await knownDevice(user.username)
    await exhaustAccount(user.id)
    // A browser the account never logged in from shares the lock-out…
    expect((await right(new Client(), user.username)).status).toBe(429)
    // …the owner's own browser does not.
    expect((await right(owner, user.username)).status).toBe(303)
  })

  it("lets the owner in from their known browser after a stranger's failures from the same address", async () => {
    const user = await makeUser()
    const ip = '203.0.113.90'
    const owner = await knownDevice(user.username, ip)
    const stranger = new Client(ip)
    for (let i = 0; i < LOGIN_LIMITS.perAccountAndIp.limit; i++) await wrong(stranger, user.username)
    expect((await right(stranger, user.username)).status).toBe(429)
    expect((await right(owner, user.username)).status).toBe(303)
  })

  it("counts a known browser's failures against its own budget, not the account's", async () => {
    const user = await makeUser()
    const owner = await knownDevice(user.username, '203.0.113.91')
    const before = await counter(`login:account:user:${user.id}`)
    for (let i = 0; i < LOGIN_LIMITS.perDevice.limit; i++) expect((await wrong(owner, user.username)).status).toBe(422)
    expect(await counter(`login:account:user:${user.id}`)).toBe(before)
    // That browser is locked now, even with the right password…
    expect((await right(owner, user.username)).status).toBe(429)
    // …and nobody else is: another browser on the same address still gets in.
    expect((await right(new Client('203.0.113.91'), user.username)).status).toBe(303)
  })

  it('checks at most the device budget of 30 parallel wrong passwords from a known browser', async () => {
    const user = await makeUser()
    const owner = await knownDevice(user.username)
    const before = await counter(`login:account:user:${user.id}`)
    const statuses = (await Promise.all(Array.from({ length: 30 }, () => wrong(owner, user.username)))).map(
      (r) => r.status,
    )
    expect(statuses.filter((s) => s === 422).length).toBe(LOGIN_LIMITS.perDevice.limit)
    expect(statuses.filter((s) => s === 429).length).toBe(30 - LOGIN_LIMITS.perDevice.limit)
    expect(await counter(`login:account:user:${user.id}`)).toBe(before)
  })

  it('trusts a device only for the account that logged in from it, and only while its password stands', async () => {
    const susan = await makeUser()
    const other = await makeUser()
    const browser = await knownDevice(susan.username)
    await exhaustAccount(other.id)
    // Susan's cookie is no pass for another account.
    expect((await right(browser, other.username)).status).toBe(429)

    await exhaustAccount(susan.id)
    await updatePasswordHash(db, susan.id, await hashPassword(PASSWORD))
    // A new password (even the same text, hashed again) retires every device cookie of the account.
    expect((await right(browser, susan.username)).status).toBe(429)
  })

  it('ignores a forged or tampered cookie', async () => {
    const user = await makeUser()
    const owner = await knownDevice(user.username)
    await exhaustAccount(user.id)
    const real = owner.cookies.get('device')!
    const forged = new Client()
    forged.cookies.set('device', `${real.slice(0, -2)}${real.endsWith('AA') ? 'BB' : 'AA'}`)
    expect((await right(forged, user.username)).status).toBe(429)
    forged.cookies.set('device', 'garbage')
    expect((await right(forged, user.username)).status).toBe(429)
  })

  it('is HttpOnly, SameSite=Strict, and __Host- with Secure over https', async () => {
    const user = await makeUser()
    const local = await new Client().post('/auth/login', { login: user.username, password: PASSWORD })
    const plain = local.headers.getSetCookie().find((line) => line.startsWith('device='))!
    expect(plain).toMatch(/HttpOnly/i)
    expect(plain).toMatch(/SameSite=Strict/i)
    expect(plain).toMatch(/Max-Age=\d+/i)

    const secure = await exports.default.fetch(
      new Request('https://microblog.example/auth/login', {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: 'https://microblog.example' },
        body: new URLSearchParams({ login: user.username, password: PASSWORD }),
        redirect: 'manual',
      }),
    )
    expect(secure.status).toBe(303)
    const line = secure.headers.getSetCookie().find((l) => l.startsWith('__Host-device='))!
    expect(line).toMatch(/Secure/i)
    expect(line).toMatch(/Path=\//i)
    expect(line).not.toMatch(/Domain=/i)
  })
})
