import { createExecutionContext } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../src/app'
import { createDb, newD1Stats } from '../../src/db/client'
import { getConversationSide, listConversations, listThreadMessages } from '../../src/features/messages/queries'
import { parseCursor, type Cursor, type Page } from '../../src/lib/cursor'
import { createSession } from '../../src/middleware/session-store'

// The inbox and threads read a bounded number of rows however many conversations and
// messages exist and however far one scrolls: 300 conversations for one member
// (on both sides of the pairs) and a 1,000-message thread.

const MEMBER = 150 // in the middle of the ids: side "b" of 149 pairs, side "a" of 151
const PEER = 151
const USERS = 301
const THREAD = 1000
const START = Date.UTC(2026, 0, 1)

async function seed() {
  const statements: D1PreparedStatement[] = []
  for (let id = 1; id <= USERS; id++) {
    statements.push(
      env.DB.prepare(
        `INSERT INTO users (id, username, email, password_hash, last_seen_at, created_at) VALUES (?, ?, ?, 'x', ?, ?)`,
      ).bind(id, `pm${id}`, `pm${id}@example.com`, START, START),
    )
  }
  let conversationId = 0
  for (let other = 1; other <= USERS; other++) {
    if (other === MEMBER) continue
    conversationId += 1
    const count = other === PEER ? THREAD : 2
    const [a, b] = other < MEMBER ? [other, MEMBER] : [MEMBER, other]
    const lastAt = START + conversationId * 60_000 + count
    statements.push(
      env.DB.prepare(
        `INSERT INTO conversations (id, user_a_id, user_b_id, last_message_body, last_sender_id, last_message_at, a_unread, b_unread, created_at)
         VALUES (?, ?, ?, 'last', ?, ?, 1, 1, ?)`,
      ).bind(conversationId, a, b, other, lastAt, START),
    )
    for (let k = 0; k < count; k++) {
      const [from, to] = k % 2 === 0 ? [other, MEMBER] : [MEMBER, other]
      statements.push(
        env.DB.prepare(
          'INSERT INTO messages (conversation_id, sender_id, recipient_id, body, created_at) VALUES (?, ?, ?, ?, ?)',
        ).bind(conversationId, from, to, `m${k}`, START + conversationId * 60_000 + Math.floor(k / 2)),
      )
    }
  }
  for (let i = 0; i < statements.length; i += 500) await env.DB.batch(statements.slice(i, i + 500))
}

const db = createDb(env.DB)

function cursorOf(page: Page<unknown>): Cursor {
  const parsed = parseCursor(page.next)
  if (!parsed.ok || !parsed.cursor) throw new Error('expected another page')
  return parsed.cursor
}

async function rowsRead(fn: (d: ReturnType<typeof createDb>) => Promise<unknown>) {
  const stats = newD1Stats()
  await fn(createDb(env.DB, stats))
  return stats.rowsRead
}

beforeAll(seed)

describe('rows read by the messages pages', () => {
  it('the inbox reads at most 78 rows on page 1 and no more on page 10, over both sides of the pairs', async () => {
    let before: Cursor | null = null
    const seen = new Set<number>()
    for (let page = 1; page < 10; page++) {
      const result = await listConversations(db, MEMBER, { before })
      for (const item of result.items) seen.add(item.other.id)
      before = cursorOf(result)
    }
    // Pages walked through pairs where the member is "a" and where it is "b", in order.
    expect([...seen].some((id) => id < MEMBER) && [...seen].some((id) => id > MEMBER)).toBe(true)
    const first = await rowsRead((d) => listConversations(d, MEMBER, { before: null }))
    const tenth = await rowsRead((d) => listConversations(d, MEMBER, { before }))
    // One statement merges the sides' index ranges and stops at the page: the 26 rows of the
    // page (25 and one to know there is more), one look-ahead per part of the UNION ALL (2 on
    // page 1, 4 after a cursor) and the other member's row for each: 2 × 27 = 54 on page 1,
    // at most 2 × 29 = 58 deep. (Was ≤ 78: both sides' 26 rows, then 26 user lookups.)
    expect(first).toBeLessThanOrEqual(54)
    expect(tenth).toBeLessThanOrEqual(58)
  })

  it('a thread reads the same bounded rows on its newest page and 30 pages up', async () => {
    const side = await getConversationSide(db, MEMBER, PEER)
    let before: Cursor | null = null
    for (let page = 1; page < 30; page++) before = cursorOf(await listThreadMessages(db, side!.id, { before }))
    const first = await rowsRead((d) => listThreadMessages(d, side!.id, { before: null }))
    const deep = await rowsRead((d) => listThreadMessages(d, side!.id, { before }))
    expect(first).toBeLessThanOrEqual(30)
    expect(Math.abs(first - deep)).toBeLessThanOrEqual(2)
    expect(await rowsRead((d) => getConversationSide(d, MEMBER, PEER))).toBe(1)
  })
})

describe('the messages pages: one D1 round trip each, bounded rows', () => {
  const app = createApp()
  let token = ''

  /** One request with D1 counting on, as `npm run bench` runs it (Server-Timing). */
  async function visit(path: string, headers: Record<string, string> = {}) {
    const response = await app.fetch(
      new Request(`http://localhost${path}`, {
        // A click on one of our own links, as a browser says it (marking a thread read needs it).
        headers: { 'Sec-Fetch-Site': 'same-origin', ...headers, Cookie: `session=${token}` },
        redirect: 'manual',
      }),
      { ...env, BENCH_D1_STATS: '1' },
      createExecutionContext(),
    )
    const html = await response.text()
    const timing = response.headers.get('Server-Timing') ?? ''
    const number = (name: string) => Number(new RegExp(`${name}=(\\d+)`).exec(timing)?.[1] ?? NaN)
    return {
      status: response.status,
      html,
      trips: number('round_trips'),
      queries: number('queries'),
      rows: number('rows_read'),
      written: number('rows_written'),
    }
  }
  const olderHref = (html: string, base: string) =>
    new RegExp(`(?:href|data-hx-get)="(${base.replace('?', '\\?')}\\?before=[^"]+)"`)
      .exec(html)![1]!
      .replaceAll('&amp;', '&')

  beforeAll(async () => {
    token = (await createSession(db, MEMBER, true)).token
  })

  it('the inbox is one round trip (session + one statement) with bounded rows, on page 1 and 10 pages down', async () => {
    let page = await visit('/messages')
    expect(page.status).toBe(200)
    // The member's own navigation: the session was read in that same trip.
    expect(page.html).toContain(`href="/user/pm${MEMBER}"`)
    expect(page.html).toContain(`href="/messages/pm${USERS}"`)
    expect([page.trips, page.queries]).toEqual([1, 2])
    // 54 for the inbox statement (see above) plus the session: its row and its member's, and
    // the session subquery once per part of the UNION ALL: 54 + 2 + 2.
    expect(page.rows).toBeLessThanOrEqual(58)
    for (let i = 0; i < 9; i++) page = await visit(olderHref(page.html, '/messages'), { 'HX-Request': 'true' })
    expect(page.status).toBe(200)
    expect([page.trips, page.queries]).toEqual([1, 2])
    // At most 58 for the statement after a cursor, + 2 + 4.
    expect(page.rows).toBeLessThanOrEqual(64)
  })

  it('a thread is one round trip: the newest page with its mark-read writes, and older pages', async () => {
    await env.DB.prepare('UPDATE users SET unread_message_count = 7 WHERE id = ?').bind(MEMBER).run()
    await env.DB.prepare('UPDATE conversations SET a_unread = 3 WHERE user_a_id = ? AND user_b_id = ?')
      .bind(MEMBER, PEER)
      .run()
    const newest = await visit(`/messages/pm${PEER}`)
    expect(newest.status).toBe(200)
    // Marked read in the same batch: this page's badge and the database already agree, with
    // nothing left to run after the answer.
    expect(newest.html).toMatch(/id="unread-badge"[^>]*data-count="4"/)
    expect((await getConversationSide(db, MEMBER, PEER))!.unread).toBe(0)
    // Session, the other member, the messages, the badge and the conversation row.
    expect([newest.trips, newest.queries]).toEqual([1, 5])
    // 26 messages + the session (2) and the other member (1), the pair's conversation found
    // by subqueries (5 a statement) and the two writes (≤ 25 with their subqueries).
    expect(newest.rows).toBeLessThanOrEqual(60)
    expect(newest.written).toBe(2)
    const again = await visit(`/messages/pm${PEER}`)
    expect(again.html).toMatch(/id="unread-badge"[^>]*data-count="4"/)
    expect([again.trips, again.queries]).toEqual([1, 5])
    // Nothing unread: the writes find nothing to do (no row written).
    expect(again.rows).toBeLessThanOrEqual(50)
    expect(again.written).toBe(0)
    let page = again
    for (let i = 0; i < 30; i++)
      page = await visit(olderHref(page.html, `/messages/pm${PEER}`), { 'HX-Request': 'true' })
    expect(page.status).toBe(200)
    expect([page.trips, page.queries]).toEqual([1, 3])
    // 30 pages up the 1,000-message thread: no more than the newest page's reads.
    expect(page.rows).toBeLessThanOrEqual(42)
  })
})
