import { env } from 'cloudflare:workers'
import { beforeAll, describe, expect, it } from 'vitest'
import { createDb, newD1Stats, type Db } from '../../src/db/client'
import { followUser } from '../../src/features/follows/queries'
import { sendMessage } from '../../src/features/messages/actions'
import { listThreadMessages } from '../../src/features/messages/queries'
import { listExplorePosts, listHomeTimeline, listUserPosts } from '../../src/features/posts/queries'
import { listFollowers, listUsers } from '../../src/features/users/queries'
import { parseCursor, type Cursor, type Page, type Paging } from '../../src/lib/cursor'
import type { PostView } from '../../src/views/components'
import { db, makeUser } from '../helpers'

// Keyset pages on (created_at, id) must not read the rows that share the cursor's
// millisecond. 150 posts are written in one millisecond, so page
// boundaries fall inside it: every page must come out without duplicates or gaps, and read
// about as many rows as a page anywhere else.

const TIED = 150
/** Far in the future, so these rows are the newest of explore and of the users list. */
const SAME_MS = Date.now() + 20 * 365 * 24 * 3600_000
/**
 * A deeper page may read a row or two more than the first (the merge looks one row past
 * each half), never the rows of the cursor's millisecond above it.
 */
const SLACK = 5

/** Every page reads about what the first page (no cursor) reads. */
function expectBounded(rows: number[]) {
  expect(rows.length).toBeGreaterThan(2)
  for (const n of rows) expect(n).toBeLessThanOrEqual(rows[0]! + SLACK)
}

let author = { id: 0, username: '', email: '' }
let reader = { id: 0 }
const expectedIds: number[] = []

beforeAll(async () => {
  const a = await makeUser()
  author = { id: a.id, username: a.username, email: a.email }
  reader = await makeUser()
  await followUser(db, reader.id, author.id, SAME_MS - 10)
  // 10 older posts, 150 in one millisecond, 10 newer: written directly (the fan-out is
  // tested elsewhere), each with its timeline copies for the author and the reader.
  const times = [
    ...Array.from({ length: 10 }, (_, i) => SAME_MS - 10 + i),
    ...Array.from({ length: TIED }, () => SAME_MS),
    ...Array.from({ length: 10 }, (_, i) => SAME_MS + 1 + i),
  ]
  for (const createdAt of times) {
    const row = await env.DB.prepare(
      'INSERT INTO posts (user_id, body, language, created_at, form_key) VALUES (?, ?, ?, ?, ?) RETURNING id',
    )
      .bind(author.id, `tie ${createdAt}`, 'en', createdAt, crypto.randomUUID())
      .first<{ id: number }>()
    expectedIds.push(row!.id)
    await env.DB.batch(
      [author.id, reader.id].map((owner) =>
        env.DB.prepare(
          'INSERT INTO timeline_entries (owner_id, post_id, author_id, created_at) VALUES (?, ?, ?, ?)',
        ).bind(owner, row!.id, author.id, createdAt),
      ),
    )
  }
  // Newest first: by time, then by id.
  expectedIds.reverse()
}, 120_000)

/** Walks every page older than the first, returning the ids in order and D1's rows read per page. */
async function walk<T extends { id: number }>(
  list: (d: Db, paging: Paging) => Promise<Page<T>>,
  stop: (item: NoInfer<T>) => boolean,
): Promise<{ ids: number[]; rows: number[] }> {
  const ids: number[] = []
  const rows: number[] = []
  let before: Cursor | null = null
  for (let n = 0; n < 50; n++) {
    const stats = newD1Stats()
    const page: Page<T> = await list(createDb(env.DB, stats), { before })
    rows.push(stats.rowsRead)
    const mine = page.items.filter(stop)
    ids.push(...mine.map((item) => item.id))
    if (mine.length < page.items.length || !page.next) break
    const parsed = parseCursor(page.next)
    if (!parsed.ok || !parsed.cursor) throw new Error('bad cursor')
    before = parsed.cursor
  }
  return { ids, rows }
}

describe('keyset pages across 150 rows sharing one millisecond', () => {
  const byAuthor = (post: { author: { id: number } }) => post.author.id === author.id

  it('explore: every post once, in order, each page reading a bounded number of rows', async () => {
    const { ids, rows } = await walk<PostView>(listExplorePosts, byAuthor)
    expect(ids).toEqual(expectedIds)
    expectBounded(rows)
  })

  it('a profile: every post once, in order, each page bounded', async () => {
    const { ids, rows } = await walk<PostView>((d, p) => listUserPosts(d, author.id, p), byAuthor)
    expect(ids).toEqual(expectedIds)
    expectBounded(rows)
  })

  it('the home timeline: every post once, in order, each page bounded', async () => {
    const { ids, rows } = await walk<PostView>((d, p) => listHomeTimeline(d, reader.id, p), byAuthor)
    expect(ids).toEqual(expectedIds)
    expectBounded(rows)
  })

  it('newer pages (`after`) walk back up through the millisecond without gaps', async () => {
    // From the oldest post upwards, 25 at a time.
    const seen: number[] = []
    let after: Cursor = { createdAt: SAME_MS - 10, id: expectedIds[expectedIds.length - 1]! }
    const rows: number[] = []
    for (;;) {
      const stats = newD1Stats()
      const page = await listUserPosts(createDb(env.DB, stats), author.id, { before: null, after })
      rows.push(stats.rowsRead)
      seen.unshift(...page.items.map((p) => p.id))
      const newest = page.items[0]
      if (!page.newer || !newest) break
      after = { createdAt: newest.createdAt, id: newest.id }
    }
    expect(seen).toEqual(expectedIds.slice(0, -1))
    // The first `after` page starts below the tie; later ones start inside it.
    for (const n of rows) expect(n).toBeLessThanOrEqual(Math.max(...rows.slice(0, 1)) + SLACK)
  })

  it('a message thread and the users list page through tied rows the same way', async () => {
    const other = await makeUser()
    for (let i = 0; i < 60; i++) await sendMessage(db, author.id, other.id, `m${i}`, SAME_MS)
    const conversation = await env.DB.prepare('SELECT conversation_id AS id FROM messages WHERE sender_id = ? LIMIT 1')
      .bind(author.id)
      .first<{ id: number }>()
    const { ids, rows } = await walk(
      (d, p) => listThreadMessages(d, conversation!.id, { before: p.before }),
      () => true,
    )
    expect(ids).toHaveLength(60)
    expect(new Set(ids).size).toBe(60)
    expectBounded(rows)

    const names: number[] = []
    for (let i = 0; i < 60; i++) names.push((await makeUser()).id)
    await env.DB.prepare(`UPDATE users SET created_at = ? WHERE id IN (${names.join(',')})`)
      .bind(SAME_MS)
      .run()
    const users = await walk(listUsers, (u) => names.includes(u.id))
    expect(users.ids).toEqual([...names].reverse())
    expectBounded(users.rows)
  })

  it('followers that followed in the same millisecond page through without gaps', async () => {
    const star = await makeUser()
    const fans: number[] = []
    for (let i = 0; i < 60; i++) {
      const fan = await makeUser()
      fans.push(fan.id)
      await followUser(db, fan.id, star.id, SAME_MS)
    }
    const { ids, rows } = await walk(
      (d, p) => listFollowers(d, star.id, { before: p.before }),
      () => true,
    )
    expect(ids).toEqual([...fans].reverse())
    expectBounded(rows)
  })
})

type Recorded = { sql: string; params: unknown[] }

/** A D1 that records each statement it runs (to EXPLAIN it afterwards). */
function recordingD1(into: Recorded[]): D1Database {
  const wrap = (stmt: D1PreparedStatement, sql: string, params: unknown[]): D1PreparedStatement =>
    ({
      bind: (...values: unknown[]) => wrap(stmt.bind(...values), sql, values),
      all: () => (into.push({ sql, params }), stmt.all()),
      run: () => (into.push({ sql, params }), stmt.run()),
      raw: (options?: { columnNames?: boolean }) => (
        into.push({ sql, params }),
        stmt.raw(options as { columnNames: true })
      ),
      first: () => (into.push({ sql, params }), stmt.first()),
    }) as unknown as D1PreparedStatement
  return {
    prepare: (sql: string) => wrap(env.DB.prepare(sql), sql, []),
    batch: (statements: D1PreparedStatement[]) => env.DB.batch(statements),
  } as unknown as D1Database
}

async function plansOf(run: (d: Db) => Promise<unknown>): Promise<string> {
  const recorded: Recorded[] = []
  await run(createDb(recordingD1(recorded)))
  const plans: string[] = []
  for (const { sql, params } of recorded) {
    const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`)
      .bind(...params)
      .all<{ detail: string }>()
    plans.push(results.map((r) => r.detail).join('\n'))
  }
  return plans.join('\n---\n')
}

describe('query plans of a deeper page start at the cursor', () => {
  const cursor = { createdAt: SAME_MS, id: 1000 }

  it('row values on an ordinary tie-break column: one range over (created_at, post_id)', async () => {
    const plan = await plansOf((d) => listHomeTimeline(d, 1, { before: cursor }))
    expect(plan).toMatch(/\(owner_id=\? AND \(created_at,post_id\)<\(\?,\?\)\)/)
    const newer = await plansOf((d) => listHomeTimeline(d, 1, { before: null, after: cursor }))
    expect(newer).toMatch(/\(owner_id=\? AND \(created_at,post_id\)>\(\?,\?\)\)/)
    const followers = await plansOf((d) => listFollowers(d, 1, { before: cursor }))
    expect(followers).toMatch(/\(followed_id=\? AND \(created_at,follower_id\)<\(\?,\?\)\)/)
  })

  it('a rowid tie-break: two index seeks merged in order, no sort', async () => {
    const explore = await plansOf((d) => listExplorePosts(d, { before: cursor }))
    expect(explore).toContain('MERGE (UNION ALL)')
    expect(explore).toMatch(/posts_created_idx \(created_at=\? AND id<\?\)/)
    expect(explore).toMatch(/posts_created_idx \(created_at<\?\)/)
    expect(explore).not.toContain('TEMP B-TREE')
    const profile = await plansOf((d) => listUserPosts(d, 1, { before: cursor }))
    expect(profile).toMatch(/posts_user_created_idx \(user_id=\? AND created_at=\? AND id<\?\)/)
    expect(profile).not.toContain('TEMP B-TREE')
  })
})
