import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test'
import { eq } from 'drizzle-orm'
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { createApp } from '../../src/app'
import { sessions, users } from '../../src/db/schema'
import { followUser } from '../../src/features/follows/queries'
import { createPost } from '../../src/features/posts/queries'
import { BROWSER_SESSION_MS, createSession, PERSISTENT_SESSION_MS } from '../../src/middleware/session-store'
import { ORIGIN, db, env, makeUser } from '../helpers'

// A page is one D1 round trip (the session lookup batched with
// the page's reads), and the writes a visit causes (last seen, the sliding expiry, removing
// an expired session) run after the answer, so reads never wait on them.

const app = createApp()
const HOUR = 3600_000
const DAY = 24 * HOUR

type Visit = { response: Response; html: string; roundTrips: number; queries: number }

/**
 * One request through the whole app with D1 counting on (as `npm run bench` runs it), with
 * its own execution context: `settle()` waits for the work it left to `waitUntil`.
 */
async function visit(path: string, token?: string, headers: Record<string, string> = {}) {
  const ctx = createExecutionContext()
  const response = await app.fetch(
    new Request(`${ORIGIN}${path}`, {
      headers: { ...headers, ...(token ? { Cookie: `session=${token}` } : {}) },
      redirect: 'manual',
    }),
    { ...env, BENCH_D1_STATS: '1' },
    ctx,
  )
  const html = await response.text()
  const timing = response.headers.get('Server-Timing') ?? ''
  const number = (name: string) => Number(new RegExp(`${name}=(\\d+)`).exec(timing)?.[1] ?? NaN)
  const result: Visit = { response, html, roundTrips: number('round_trips'), queries: number('queries') }
  return { ...result, settle: () => waitOnExecutionContext(ctx) }
}

/** The Set-Cookie lines of the session cookie only (the D1 bookmark cookie is another). */
function sessionCookies(response: Response): string {
  return response.headers
    .getSetCookie()
    .filter((line) => line.startsWith('session='))
    .join('\n')
}

async function sessionRow(id: string) {
  return (await db.select().from(sessions).where(eq(sessions.id, id)).get()) ?? null
}

async function lastSeen(userId: number) {
  return (await db.select({ at: users.lastSeenAt }).from(users).where(eq(users.id, userId)).get())!.at
}

describe('one D1 round trip per page', () => {
  let token = ''
  let member = { id: 0, username: '' }
  let author = { id: 0, username: '', email: '' }
  let postId = 0

  beforeAll(async () => {
    const m = await makeUser()
    member = { id: m.id, username: m.username }
    const a = await makeUser()
    author = { id: a.id, username: a.username, email: a.email }
    await followUser(db, member.id, author.id)
    for (let i = 0; i < 30; i++) postId = (await createPost(db, author, `round trip ${i}`, 'en')).id
    token = (await createSession(db, member.id, true)).token
    // The first visit writes "last seen" after the answer; let it land first.
    await (await visit('/explore', token)).settle()
  })

  const pages = () => ({
    'home timeline': '/',
    'home timeline, page 2': `/?before=${Date.now() + DAY}-1`,
    explore: '/explore',
    'explore, deep page': `/explore?before=${Date.now() - 1}-${postId}`,
    profile: `/user/${author.username}`,
    'own profile': `/user/${member.username}`,
    'post page': `/post/${postId}`,
  })

  for (const name of Object.keys(pages()) as Array<keyof ReturnType<typeof pages>>) {
    it(`${name}: a member's request is one round trip`, async () => {
      const page = await visit(pages()[name], token)
      expect(page.response.status).toBe(200)
      // The member's own navigation: the session really was read in that one trip.
      expect(page.html).toContain(`href="/user/${member.username}"`)
      expect(page.roundTrips).toBe(1)
      await page.settle()
    })
  }

  it('the profile shows the Follow state read in the same batch', async () => {
    const page = await visit(`/user/${author.username}`, token)
    expect(page.html).toContain('>Unfollow<')
    expect(page.roundTrips).toBe(1)
    const other = await makeUser()
    const fresh = await visit(`/user/${other.username}`, token)
    expect(fresh.html).toContain('>Follow<')
  })

  it('a visitor: explore, a profile and a post page are one round trip, the login page none', async () => {
    for (const path of ['/explore', `/user/${author.username}`, `/post/${postId}`]) {
      const page = await visit(path)
      expect(page.response.status, path).toBe(200)
      expect(page.roundTrips, path).toBe(1)
      expect(page.html).toContain('href="/auth/login"')
    }
    const login = await visit('/auth/login')
    expect(login.response.status).toBe(200)
    expect(login.roundTrips).toBe(0)
    expect(login.queries).toBe(0)
    // Home sends a visitor to log in without asking D1 anything.
    const home = await visit('/')
    expect(home.response.status).toBe(303)
    expect(home.roundTrips).toBe(0)
  })

  it('an unknown profile or post is still a 404 in the member’s own layout', async () => {
    const missing = await visit('/user/nobody_here_at_all', token)
    expect(missing.response.status).toBe(404)
    expect(missing.html).toContain(`href="/user/${member.username}"`)
    const badId = await visit('/post/not-a-number', token)
    expect(badId.response.status).toBe(404)
    expect(badId.html).toContain(`href="/user/${member.username}"`)
  })

  it('a wrong secret gets nothing of the member: home asks to log in, pages are a visitor’s', async () => {
    const [id] = token.split('.')
    const forged = `${id}.${'a'.repeat(24)}`
    const home = await visit('/', forged)
    expect(home.response.status).toBe(303)
    expect(home.response.headers.get('Location')).toBe('/auth/login?next=%2F')
    const profile = await visit(`/user/${author.username}`, forged)
    expect(profile.response.status).toBe(200)
    expect(profile.html).not.toContain('Unfollow')
    expect(profile.html).not.toContain(`href="/user/${member.username}"`)
    expect(profile.html).toContain('href="/auth/login"')
    // The cookie is cleared, and pages stay private for the browser that sent it.
    expect(sessionCookies(profile.response)).toMatch(/session=;/)
    expect(profile.response.headers.get('Cache-Control')).toMatch(/private|no-store/)
  })
})

describe('the sliding expiry, refreshed only with less than half the lifetime left', () => {
  it('does not write while more than half is left', async () => {
    const user = await makeUser()
    const created = Date.now() - 2 * HOUR
    const { session, token } = await createSession(db, user.id, true, created)
    const page = await visit('/explore', token)
    await page.settle()
    expect((await sessionRow(session.id))!.expiresAt).toBe(session.expiresAt)
    expect(sessionCookies(page.response)).not.toMatch(/session=/)
  })

  it('pushes a persistent session a whole lifetime forward, after the answer, and re-sends the cookie', async () => {
    const user = await makeUser()
    const { session, token } = await createSession(db, user.id, true)
    // 14 days of 30 left: less than half.
    const expiresAt = Date.now() + 14 * DAY
    await db.update(sessions).set({ expiresAt }).where(eq(sessions.id, session.id))
    const before = Date.now()
    const page = await visit('/explore', token)
    expect(page.response.status).toBe(200)
    expect(sessionCookies(page.response)).toMatch(/Max-Age=2592000/)
    await page.settle()
    const row = (await sessionRow(session.id))!
    expect(row.expiresAt).toBeGreaterThanOrEqual(before + PERSISTENT_SESSION_MS)
    expect(row.lastVerifiedAt).toBeGreaterThanOrEqual(before)
  })

  it('refreshes a browser session (one day) past its half, without a persistent cookie', async () => {
    const user = await makeUser()
    const { session, token } = await createSession(db, user.id, false)
    const justOverHalf = Date.now() + BROWSER_SESSION_MS / 2 + 60_000
    await db.update(sessions).set({ expiresAt: justOverHalf }).where(eq(sessions.id, session.id))
    await (await visit('/explore', token)).settle()
    expect((await sessionRow(session.id))!.expiresAt).toBe(justOverHalf)

    const justUnderHalf = Date.now() + BROWSER_SESSION_MS / 2 - 60_000
    await db.update(sessions).set({ expiresAt: justUnderHalf }).where(eq(sessions.id, session.id))
    const page = await visit('/explore', token)
    expect(sessionCookies(page.response)).not.toMatch(/Max-Age/)
    await page.settle()
    expect((await sessionRow(session.id))!.expiresAt).toBeGreaterThan(Date.now() + BROWSER_SESSION_MS - 60_000)
  })

  it('an expired session is refused, its cookie cleared and its row removed', async () => {
    const user = await makeUser()
    const { session, token } = await createSession(db, user.id, true)
    await db
      .update(sessions)
      .set({ expiresAt: Date.now() - 1 })
      .where(eq(sessions.id, session.id))
    const page = await visit('/', token)
    expect(page.response.status).toBe(303)
    expect(sessionCookies(page.response)).toMatch(/session=;/)
    await page.settle()
    expect(await sessionRow(session.id)).toBeNull()
  })
})

describe('last seen', () => {
  afterEach(async () => {
    await env.DB.prepare('DROP TRIGGER IF EXISTS refuse_last_seen').run()
    vi.restoreAllMocks()
  })

  it('is written after the answer when older than five minutes, not on every request', async () => {
    const user = await makeUser()
    const old = Date.now() - 10 * 60_000
    await db.update(users).set({ lastSeenAt: old }).where(eq(users.id, user.id))
    const { token } = await createSession(db, user.id, true)
    const before = Date.now()
    const page = await visit('/explore', token)
    expect(page.response.status).toBe(200)
    expect(page.roundTrips).toBe(1)
    await page.settle()
    const seen = await lastSeen(user.id)
    expect(seen).toBeGreaterThanOrEqual(before)

    // Within five minutes nothing more is written.
    const again = await visit('/explore', token)
    await again.settle()
    expect(await lastSeen(user.id)).toBe(seen)
  })

  it('a failing write does not fail the page: it is logged', async () => {
    const user = await makeUser()
    await db
      .update(users)
      .set({ lastSeenAt: Date.now() - 10 * 60_000 })
      .where(eq(users.id, user.id))
    const { token } = await createSession(db, user.id, true)
    await env.DB.prepare(
      `CREATE TRIGGER refuse_last_seen BEFORE UPDATE OF last_seen_at ON users WHEN NEW.id = ${user.id}
       BEGIN SELECT RAISE(ABORT, 'last seen refused'); END`,
    ).run()
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {})
    const page = await visit('/', token)
    expect(page.response.status).toBe(200)
    expect(page.html).toContain(`href="/user/${user.username}"`)
    await page.settle()
    expect(logged).toHaveBeenCalled()
    expect(String(logged.mock.calls.flat().join(' '))).toMatch(/last seen refused/)
  })
})
