import { env } from 'cloudflare:workers'
import { beforeAll, describe, expect, it } from 'vitest'
import { createDb, newD1Stats } from '../../src/db/client'
import { getConversationSide, listConversations, listThreadMessages } from '../../src/features/messages/queries'
import { parseCursor, type Cursor, type Page } from '../../src/lib/cursor'

// The inbox and threads read a bounded number of rows however many conversations and
// messages exist and however far one scrolls (SPEC §0.3): 300 conversations for one member
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
    // Each side reads at most one page and the winners one row each: 2 × 26 + 26 = 78. Deep
    // pages read no more (fewer once one side is used up).
    expect(first).toBeLessThanOrEqual(78)
    expect(tenth).toBeLessThanOrEqual(first)
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
