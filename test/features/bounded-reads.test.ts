import { env } from 'cloudflare:workers'
import { beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../src/app'
import { createDb, newD1Stats, type D1Stats } from '../../src/db/client'
import { followUser, isFollowing, listFollowedAmong, listWhoToFollow } from '../../src/features/follows/queries'
import { createPost, listExplorePosts, listHomeTimeline, listUserPosts } from '../../src/features/posts/queries'
import { searchPeople } from '../../src/features/search/queries'
import {
  createUser,
  getUserByEmail,
  getUserById,
  getUserByUsername,
  listFollowers,
  listFollowing,
} from '../../src/features/users/queries'
import { parseCursor, type Cursor, type Page } from '../../src/lib/cursor'
import { createSession, validateSessionToken } from '../../src/middleware/session-store'

// D1 bills per row read, so every page must read a bounded number of rows however many
// posts exist and however deep a reader scrolls. These tests build a community
// with 5,000 posts and check (1) the query plan of every query the main pages run and
// (2) the rows D1 reports reading, on page 1 and on page 20.

const USERS = 50
const POSTS = 5_000
const FOLLOWS_EACH = 20
const ROW_BOUND = 100
/** Page 20 may read a row or two more than page 1: posts sharing the cursor's millisecond. */
const SAME_WITHIN = 5
const VIEWER_ID = 1
const START = Date.UTC(2026, 0, 1)

/**
 * Builds the data set through the app's own write path: members in SQL (no derived rows),
 * then every follow with `followUser` and every post with `createPost`, so timelines and
 * counters are exactly what the app writes (a broken fan-out would show up here too).
 */
async function seed() {
  const statements: D1PreparedStatement[] = []
  for (let id = 1; id <= USERS; id++) {
    statements.push(
      env.DB.prepare(
        `INSERT INTO users (id, username, email, password_hash, last_seen_at, created_at)
         VALUES (?, ?, ?, 'x', ?, ?)`,
      ).bind(id, `reader${id}`, `reader${id}@example.com`, START, START),
    )
  }
  await env.DB.batch(statements)
  for (let id = 1; id <= USERS; id++) {
    for (let k = 1; k <= FOLLOWS_EACH; k++) await followUser(db, id, ((id - 1 + k) % USERS) + 1, START + k)
  }
  // 5,000 posts, one a minute, round-robin over the authors; a few share a millisecond so
  // the cursor's tie-break on id is exercised. Written a batch of authors at a time.
  for (let n = 0; n < POSTS; n += USERS) {
    await Promise.all(
      Array.from({ length: USERS }, (_, i) => {
        const id = ((n + i) % USERS) + 1
        const author = { id, username: `reader${id}`, email: `reader${id}@example.com` }
        return createPost(db, author, `post number ${n + i}`, 'en', START + Math.floor((n + i) / 2) * 60_000)
      }),
    )
  }
}

type Recorded = { sql: string; params: unknown[] }

/**
 * A D1 stand-in that runs every statement on the real binding and remembers its SQL and
 * parameters, so the test explains exactly what the query functions send.
 */
function recordingD1(into: Recorded[]): D1Database {
  const wrap = (stmt: D1PreparedStatement, sql: string, params: unknown[]): D1PreparedStatement => {
    const record = () => into.push({ sql, params })
    return {
      bind: (...values: unknown[]) => wrap(stmt.bind(...values), sql, values),
      all: () => (record(), stmt.all()),
      run: () => (record(), stmt.run()),
      raw: (options?: { columnNames?: boolean }) => (record(), stmt.raw(options as { columnNames: true })),
      first: (column?: string) => (record(), column === undefined ? stmt.first() : stmt.first(column)),
    } as unknown as D1PreparedStatement
  }
  return {
    prepare: (sql: string) => wrap(env.DB.prepare(sql), sql, []),
    batch: (statements: D1PreparedStatement[]) => env.DB.batch(statements),
  } as unknown as D1Database
}

async function queryPlan({ sql, params }: Recorded): Promise<string[]> {
  const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`)
    .bind(...params)
    .all<{ detail: string }>()
  return results.map((row) => row.detail)
}

const BIG_TABLES = ['posts', 'follows', 'timeline_entries', 'users', 'sessions']

/**
 * The plan problems that make a page's cost grow with the data: a table scan without an
 * index, and a temporary B-tree to sort (every matching row is read before the first one
 * is returned). An ordered walk of an index (`SCAN posts USING INDEX posts_created_idx`
 * for the first page of explore) stops after LIMIT rows, so it is allowed — the rows-read
 * test below checks that it really does.
 */
function planProblems(plan: string[]): string[] {
  return plan.filter((detail) => {
    const scan = /^SCAN (\w+)( AS \w+)?$/.exec(detail)
    if (scan && BIG_TABLES.includes(scan[1]!)) return true
    return /TEMP B-TREE/.test(detail)
  })
}

/** Runs `fn` against a recording db and returns the statements it ran. */
async function recordQueries(fn: (db: ReturnType<typeof createDb>) => Promise<unknown>) {
  const recorded: Recorded[] = []
  await fn(createDb(recordingD1(recorded)))
  return recorded
}

function cursorOf(page: Page<unknown>): Cursor {
  const parsed = parseCursor(page.next)
  if (!parsed.ok || !parsed.cursor) throw new Error('expected another page')
  return parsed.cursor
}

/** The cursor that starts page `n` (1-based) of a paginated list. */
async function cursorForPage(
  n: number,
  list: (before: Cursor | null) => Promise<Page<unknown>>,
): Promise<Cursor | null> {
  let before: Cursor | null = null
  for (let page = 1; page < n; page++) before = cursorOf(await list(before))
  return before
}

let sessionToken = ''
const db = createDb(env.DB)

beforeAll(async () => {
  await seed()
  sessionToken = (await createSession(db, VIEWER_ID, false)).token
  // Everyone else is logged in too, so the statistics see a sessions table of real shape.
  for (let id = 2; id <= USERS; id++) await createSession(db, id, false)
  // 6,000 writes through the app's batches take longer than one test's budget.
}, 300_000)

// Plans are checked on a fresh database and again once ANALYZE has given the planner
// statistics (as `PRAGMA optimize` would on a long-lived one): both must use the indexes.
for (const statistics of ['without statistics', 'after ANALYZE'] as const) {
  describe(`query plans of the main pages, ${statistics}`, () => {
    if (statistics === 'after ANALYZE') {
      beforeAll(async () => {
        await env.DB.prepare('ANALYZE').run()
      })
    }

    const someCursor = { createdAt: START + 1000 * 60_000, id: 2000 }
    const cases: Record<string, (db: ReturnType<typeof createDb>) => Promise<unknown>> = {
      'home timeline, page 1': (d) => listHomeTimeline(d, VIEWER_ID, { before: null }),
      'home timeline, deeper page': (d) => listHomeTimeline(d, VIEWER_ID, { before: someCursor }),
      'explore, page 1': (d) => listExplorePosts(d, { before: null }),
      'explore, deeper page': (d) => listExplorePosts(d, { before: someCursor }),
      'user posts, page 1': (d) => listUserPosts(d, 7, { before: null }),
      'user posts, deeper page': (d) => listUserPosts(d, 7, { before: someCursor }),
      'home timeline, newer page': (d) => listHomeTimeline(d, VIEWER_ID, { before: null, after: someCursor }),
      'explore, newer page': (d) => listExplorePosts(d, { before: null, after: someCursor }),
      'user posts, newer page': (d) => listUserPosts(d, 7, { before: null, after: someCursor }),
      'followers, page 1': (d) => listFollowers(d, 7, { before: null }),
      'followers, deeper page': (d) => listFollowers(d, 7, { before: { createdAt: START + 10, id: 3 } }),
      'following, page 1': (d) => listFollowing(d, 7, { before: null }),
      'following, deeper page': (d) => listFollowing(d, 7, { before: { createdAt: START + 10, id: 3 } }),
      'user by username': (d) => getUserByUsername(d, 'Reader7'),
      'user by email': (d) => getUserByEmail(d, 'reader7@example.com'),
      'user by id': (d) => getUserById(d, 7),
      'is following': (d) => isFollowing(d, VIEWER_ID, 7),
      'who to follow': (d) => listWhoToFollow(d, VIEWER_ID),
      'followed among a page': (d) => listFollowedAmong(d, VIEWER_ID, [3, 4, 5, 6, 7]),
      'session lookup': (d) => validateSessionToken(d, sessionToken),
      'people search': (d) => searchPeople(d, 'Reader7'),
    }

    for (const [name, run] of Object.entries(cases)) {
      it(`${name}: every table is reached through an index, no sort of a whole range`, async () => {
        const statements = await recordQueries(run)
        const selects = statements.filter((s) => /^\s*select/i.test(s.sql))
        expect(selects.length).toBeGreaterThan(0)
        for (const statement of selects) {
          const plan = await queryPlan(statement)
          expect(planProblems(plan), `${statement.sql}\n${plan.join('\n')}`).toEqual([])
        }
      })
    }

    it('flags a real full scan (the check itself works)', async () => {
      const plan = await queryPlan({ sql: 'SELECT * FROM posts WHERE body = ?', params: ['x'] })
      expect(planProblems(plan)).toEqual(['SCAN posts'])
    })
  })
}

describe('the D1 counting wrapper (BENCH_D1_STATS)', () => {
  it('returns the same rows as the plain binding, joins with two `id` columns included', async () => {
    const stats = newD1Stats()
    const counted = createDb(env.DB, stats)
    expect(await listHomeTimeline(counted, VIEWER_ID, { before: null })).toEqual(
      await listHomeTimeline(db, VIEWER_ID, { before: null }),
    )
    expect(await validateSessionToken(counted, sessionToken)).toEqual(await validateSessionToken(db, sessionToken))
    expect(stats.queries).toBe(2)
  })

  it('runs a write once and returns its RETURNING row', async () => {
    const stats = newD1Stats()
    const counted = createDb(env.DB, stats)
    const created = await createUser(counted, {
      username: 'counted_writer',
      email: 'counted@example.com',
      passwordHash: 'x',
    })
    expect(created.ok && created.user.username).toBe('counted_writer')
    const { results } = await env.DB.prepare("SELECT count(*) AS n FROM users WHERE username = 'counted_writer'").all<{
      n: number
    }>()
    expect(results[0]?.n).toBe(1)
    expect(stats.rowsWritten).toBeGreaterThan(0)
  })
})

describe('rows read per page with 5,000 posts', () => {
  /** Rows D1 reports reading for one call of a query function. */
  async function rowsRead(fn: (db: ReturnType<typeof createDb>) => Promise<unknown>): Promise<D1Stats> {
    const stats = newD1Stats()
    await fn(createDb(env.DB, stats))
    return stats
  }

  it('the home timeline reads the same bounded number of rows on page 1 and page 20', async () => {
    const page20 = await cursorForPage(20, (before) => listHomeTimeline(db, VIEWER_ID, { before }))
    const first = await rowsRead((d) => listHomeTimeline(d, VIEWER_ID, { before: null }))
    const deep = await rowsRead((d) => listHomeTimeline(d, VIEWER_ID, { before: page20 }))
    expect(first.rowsRead).toBeGreaterThan(0)
    expect(first.rowsRead).toBeLessThanOrEqual(ROW_BOUND)
    expect(deep.rowsRead).toBeLessThanOrEqual(ROW_BOUND)
    expect(Math.abs(deep.rowsRead - first.rowsRead)).toBeLessThanOrEqual(SAME_WITHIN)
    const page = await listHomeTimeline(db, VIEWER_ID, { before: page20 })
    expect(page.items).toHaveLength(25)
  })

  it('explore reads the same bounded number of rows on page 1 and page 20', async () => {
    const page20 = await cursorForPage(20, (before) => listExplorePosts(db, { before }))
    const first = await rowsRead((d) => listExplorePosts(d, { before: null }))
    const deep = await rowsRead((d) => listExplorePosts(d, { before: page20 }))
    expect(first.rowsRead).toBeGreaterThan(0)
    expect(first.rowsRead).toBeLessThanOrEqual(ROW_BOUND)
    expect(deep.rowsRead).toBeLessThanOrEqual(ROW_BOUND)
    expect(Math.abs(deep.rowsRead - first.rowsRead)).toBeLessThanOrEqual(SAME_WITHIN)
  })

  it('a profile page of posts stays under the bound on page 1 and page 20', async () => {
    // User 7 has 100 posts: 4 pages. Page 4 is as deep as it goes.
    const page4 = await cursorForPage(4, (before) => listUserPosts(db, 7, { before }))
    const first = await rowsRead((d) => listUserPosts(d, 7, { before: null }))
    const deep = await rowsRead((d) => listUserPosts(d, 7, { before: page4 }))
    expect(first.rowsRead).toBeLessThanOrEqual(ROW_BOUND)
    expect(deep.rowsRead).toBeLessThanOrEqual(ROW_BOUND)
  })

  describe('whole requests, as the benchmark measures them (Server-Timing)', () => {
    const app = createApp()
    const benchEnv = { ...env, BENCH_D1_STATS: '1' }

    async function requestRows(path: string, loggedIn: boolean) {
      const headers = new Headers()
      if (loggedIn) headers.set('Cookie', `session=${sessionToken}`)
      const response = await app.fetch(new Request(`http://localhost${path}`, { headers }), benchEnv, {
        waitUntil: () => {},
        passThroughOnException: () => {},
        props: {},
      } as unknown as ExecutionContext)
      expect(response.status).toBe(200)
      const timing = response.headers.get('Server-Timing') ?? ''
      const match = /rows_read=(\d+)/.exec(timing)
      expect(match, timing).not.toBeNull()
      return Number(match![1])
    }

    it('GET / and GET /explore read at most 100 rows on page 1 and page 20', async () => {
      const home20 = await cursorForPage(20, (before) => listHomeTimeline(db, VIEWER_ID, { before }))
      const explore20 = await cursorForPage(20, (before) => listExplorePosts(db, { before }))
      const at = (c: Cursor | null) => `before=${c!.createdAt}-${c!.id}`
      // The first request may write "last seen"; warm it up so it does not count.
      await requestRows('/', true)
      const rows = {
        home1: await requestRows('/', true),
        home20: await requestRows(`/?${at(home20)}`, true),
        explore1: await requestRows('/explore', false),
        explore20: await requestRows(`/explore?${at(explore20)}`, false),
      }
      for (const [name, value] of Object.entries(rows)) {
        expect(value, name).toBeGreaterThan(0)
        expect(value, name).toBeLessThanOrEqual(ROW_BOUND)
      }
      expect(Math.abs(rows.home20 - rows.home1)).toBeLessThanOrEqual(SAME_WITHIN)
      expect(Math.abs(rows.explore20 - rows.explore1)).toBeLessThanOrEqual(SAME_WITHIN)
    })

    it('sends no Server-Timing when the flag is off', async () => {
      const response = await app.fetch(new Request('http://localhost/explore'), env, {
        waitUntil: () => {},
        passThroughOnException: () => {},
        props: {},
      } as unknown as ExecutionContext)
      expect(response.headers.get('Server-Timing')).toBeNull()
    })
  })
})
