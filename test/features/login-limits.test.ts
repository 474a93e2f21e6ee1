import { describe, expect, it } from 'vitest'
import { LOGIN_LIMITS } from '../../src/features/auth/login-limits'
import { hitRateLimit } from '../../src/middleware/rate-limit'
import { Client, PASSWORD, db, makeUser } from '../helpers'

const wrong = (client: Client, login: string) => client.post('/auth/login', { login, password: 'wrong password' })

describe('login rate limits', () => {
  it('checks at most the limit of 40 parallel wrong passwords; the rest get 429 before any hashing', async () => {
    const user = await makeUser()
    const client = new Client('203.0.113.40')
    const responses = await Promise.all(Array.from({ length: 40 }, () => wrong(client, user.username)))
    const statuses = responses.map((r) => r.status)
    const checked = statuses.filter((s) => s === 422).length
    const refused = statuses.filter((s) => s === 429).length
    expect(checked + refused).toBe(40)
    expect(checked).toBeLessThanOrEqual(LOGIN_LIMITS.perAccountAndIp.limit)
    expect(refused).toBeGreaterThanOrEqual(40 - LOGIN_LIMITS.perAccountAndIp.limit)
    const limited = responses.find((r) => r.status === 429)!
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0)
    // Even the right password is refused now, from this address.
    expect((await client.post('/auth/login', { login: user.username, password: PASSWORD })).status).toBe(429)
  })

  it('gives a username and its email one budget', async () => {
    const user = await makeUser()
    const client = new Client('203.0.113.41')
    const statuses: number[] = []
    for (let i = 0; i < 5; i++) statuses.push((await wrong(client, user.username)).status)
    for (let i = 0; i < 5; i++) statuses.push((await wrong(client, user.email.toUpperCase())).status)
    expect(statuses).toEqual(Array(10).fill(422))
    expect((await wrong(client, user.username)).status).toBe(429)
    expect((await wrong(client, user.email)).status).toBe(429)
  })

  it("lets the owner in from another address after a stranger's 10 failures", async () => {
    const user = await makeUser()
    const stranger = new Client('198.51.100.66')
    for (let i = 0; i < 10; i++) expect((await wrong(stranger, user.username)).status).toBe(422)
    expect((await wrong(stranger, user.username)).status).toBe(429)
    const owner = new Client('192.0.2.200')
    expect((await owner.post('/auth/login', { login: user.username, password: PASSWORD })).status).toBe(303)
  })

  it('stops a guesser spread over many addresses at the per-account ceiling', async () => {
    const user = await makeUser()
    // Hashing 100 guesses would take the test's whole budget: earlier guesses from other
    // addresses are counted straight into the account's counter, the last one goes over HTTP.
    const rule = LOGIN_LIMITS.perAccount
    for (let i = 0; i < rule.limit - 1; i++) await hitRateLimit(db, `login:account:user:${user.id}`, rule)
    expect((await wrong(new Client('198.18.0.1'), user.username)).status).toBe(422)
    const fresh = new Client('198.19.0.1')
    expect((await fresh.post('/auth/login', { login: user.username, password: PASSWORD })).status).toBe(429)
  })

  it('lets a success clear its address from the account budget', async () => {
    const user = await makeUser()
    const client = new Client('192.0.2.201')
    for (let i = 0; i < 9; i++) expect((await wrong(client, user.username)).status).toBe(422)
    await client.login(user.username)
    for (let i = 0; i < 9; i++) expect((await wrong(client, user.username)).status).toBe(422)
  })

  it('counts two IPv6 addresses of one /64 as one address', async () => {
    const first = new Client('2001:db8:77:1::1')
    const second = new Client('2001:db8:77:1:ffff::2')
    const statuses: number[] = []
    for (let i = 0; i < LOGIN_LIMITS.perIp.limit / 2; i++) {
      statuses.push((await wrong(first, `nobody-a${i}`)).status)
      statuses.push((await wrong(second, `nobody-b${i}`)).status)
    }
    expect(statuses).toEqual(Array(LOGIN_LIMITS.perIp.limit).fill(422))
    expect((await wrong(second, 'nobody-c')).status).toBe(429)
    // The next /64 is another client.
    expect((await wrong(new Client('2001:db8:77:2::1'), 'nobody-d')).status).toBe(422)
  })
})
