import { env } from 'cloudflare:workers'
import { eq, Placeholder } from 'drizzle-orm'
import { beforeAll, describe, expect, it } from 'vitest'
import { createDb, newD1Stats } from '../../src/db/client'
import {
  batchReads,
  cachedRead,
  cachedStatementCount,
  MAX_CACHED_STATEMENTS,
  mergeValues,
  read,
  runRead,
  type Statement,
} from '../../src/db/read'
import { userRow } from '../../src/db/rows'
import { users } from '../../src/db/schema'
import { followUser, isFollowingStatement } from '../../src/features/follows/queries'
import {
  createPost,
  exploreStatement,
  homeTimelineStatement,
  postByIdStatement,
  userPostsStatement,
} from '../../src/features/posts/queries'
import { userByUsernameStatement, userIdByUsername } from '../../src/features/users/queries'
import { parseSessionToken } from '../../src/lib/session-token'
import { createSession, sessionLookupStatement, sessionUserId } from '../../src/middleware/session-store'
import { db, makeUser } from '../helpers'

// The reads every page makes run as cached statements (src/db/read.ts): Drizzle writes their
// SQL once per isolate and the rows are mapped by hand. These tests hold the hand mapping to
// what Drizzle itself returns for the same query and data, and the cache to its bounds.

type Built = { prepare(): { all(values: Record<string, unknown>): Promise<unknown[]> } }

/** The same statement run by Drizzle: its own SQL, parameters and row mapping. */
function drizzleRows<R>(statement: Statement<R>): Promise<unknown[]> {
  return (statement.build() as unknown as Built).prepare().all(statement.values)
}

/** The statement as a cached read (one round trip), its rows as mapped by hand. */
function handRows<R>(statement: Statement<R>): Promise<R[]> {
  return runRead(cachedRead(db, statement, (rows) => rows))
}

let author = { id: 0, username: '', email: '' }
let reader = { id: 0, username: '' }
let persistentToken = ''
let browserToken = ''
const postIds: number[] = []
/** The posts' times: far in the future, so they are the newest of explore. */
const base = Date.now() + 10 * 365 * 24 * 3600_000

beforeAll(async () => {
  // A few members first, so user ids and post ids do not coincide.
  for (let i = 0; i < 3; i++) await makeUser()
  const a = await makeUser()
  author = { id: a.id, username: a.username, email: a.email }
  reader = await makeUser()
  // Every column of both members holds a value no other column of the row has, so a
  // mapping that reads the wrong column gives a different row.
  await env.DB.prepare(
    `UPDATE users SET about_me = 'about ' || username, language = 'es', post_count = 3, follower_count = 5,
       following_count = 7, unread_message_count = 11, last_seen_at = 1700000000013, created_at = 1700000000017
     WHERE id IN (?, ?)`,
  )
    .bind(author.id, reader.id)
    .run()
  await followUser(db, reader.id, author.id, 1700000000019)
  for (let i = 0; i < 6; i++) {
    const post = await createPost(db, author, `post ${i}`, i % 2 === 0 ? 'en' : null, base + i * 1000)
    postIds.push(post.id)
  }
  persistentToken = (await createSession(db, reader.id, true)).token
  browserToken = (await createSession(db, reader.id, false)).token
}, 60_000)

describe('cached statements map rows exactly as Drizzle does', () => {
  const cursor = () => ({ createdAt: base + 3000, id: postIds[3]! })

  const cases: [string, () => Statement<unknown>][] = [
    ['explore, first page', () => exploreStatement(db, { before: null })],
    ['explore, before a cursor', () => exploreStatement(db, { before: cursor(), limit: 3 })],
    ['explore, after a cursor', () => exploreStatement(db, { before: null, after: { ...cursor(), createdAt: 0 } })],
    ['a member’s posts by id', () => userPostsStatement(db, author.id, { before: null })],
    ['a member’s posts by username', () => userPostsStatement(db, userIdByUsername(author.username), { before: null })],
    ['home by member id', () => homeTimelineStatement(db, reader.id, { before: null })],
    [
      'home by session, before a cursor',
      () =>
        homeTimelineStatement(db, sessionUserId(parseSessionToken(persistentToken)!, Date.now()), { before: cursor() }),
    ],
    ['a post by id (language set)', () => postByIdStatement(db, postIds[0]!)],
    ['a post by id (no language)', () => postByIdStatement(db, postIds[1]!)],
    ['a member by username', () => userByUsernameStatement(db, author.username.toUpperCase())],
    ['is following, by ids', () => isFollowingStatement(db, reader.id, author.id)],
    [
      'is following, by session and username',
      () =>
        isFollowingStatement(
          db,
          sessionUserId(parseSessionToken(persistentToken)!, Date.now()),
          userIdByUsername(author.username),
        ),
    ],
    ['a persistent session and its member', () => sessionLookupStatement(db, parseSessionToken(persistentToken)!.id)],
    ['a browser session and its member', () => sessionLookupStatement(db, parseSessionToken(browserToken)!.id)],
  ]

  for (const [name, statement] of cases) {
    it(name, async () => {
      const expected = await drizzleRows(statement())
      expect(expected.length).toBeGreaterThan(0)
      expect(await handRows(statement())).toStrictEqual(expected)
    })
  }

  it('the session row keeps both created_at columns and the boolean apart', async () => {
    const [persistent] = await handRows(sessionLookupStatement(db, parseSessionToken(persistentToken)!.id))
    const [browser] = await handRows(sessionLookupStatement(db, parseSessionToken(browserToken)!.id))
    expect(persistent!.session.persistent).toBe(true)
    expect(browser!.session.persistent).toBe(false)
    expect(persistent!.user.createdAt).toBe(1700000000017)
    expect(persistent!.session.createdAt).not.toBe(1700000000017)
  })

  it('a session expression with a wrong secret matches nobody', async () => {
    const token = parseSessionToken(persistentToken)!
    const forged = sessionUserId({ id: token.id, secret: 'a'.repeat(24) }, Date.now())
    expect(await handRows(homeTimelineStatement(db, forged, { before: null }))).toEqual([])
    expect(await handRows(isFollowingStatement(db, forged, author.id))).toEqual([])
  })
})

/** A statement under its own key: the member with a username, counting its builds. */
function countedStatement(key: string, username: string, builds: { n: number }): Statement<unknown> {
  return {
    ...userByUsernameStatement(db, username),
    key,
    build: () => {
      builds.n += 1
      return userByUsernameStatement(db, username).build()
    },
  }
}

describe('the statement cache', () => {
  it('builds a statement’s SQL once per key and binds each request’s own values', async () => {
    const builds = { n: 0 }
    const key = `test:once:${crypto.randomUUID()}`
    const [first] = await handRows(countedStatement(key, author.username, builds))
    const [second] = await handRows(countedStatement(key, reader.username, builds))
    expect(builds.n).toBe(1)
    expect(first).toMatchObject({ id: author.id })
    expect(second).toMatchObject({ id: reader.id })
  })

  it(`keeps at most ${MAX_CACHED_STATEMENTS} SQL texts however many keys it sees`, async () => {
    const builds = { n: 0 }
    for (let i = 0; i < MAX_CACHED_STATEMENTS * 3; i++) {
      const [row] = await handRows(countedStatement(`test:bounded:${i}`, author.username, builds))
      expect(row).toMatchObject({ id: author.id })
      expect(cachedStatementCount()).toBeLessThanOrEqual(MAX_CACHED_STATEMENTS)
    }
    expect(builds.n).toBe(MAX_CACHED_STATEMENTS * 3)
  })

  it('refuses a value written into the query: it would be cached for every later request', () => {
    const statement: Statement<unknown> = {
      key: `test:literal:${crypto.randomUUID()}`,
      build: () => db.select().from(users).where(eq(users.id, author.id)),
      values: {},
      row: userRow,
    }
    expect(() => cachedRead(db, statement, (rows) => rows)).toThrow(/parameter 1 is a value, not a placeholder/)
  })

  it('refuses to run without a value for every placeholder', () => {
    const statement: Statement<unknown> = {
      key: `test:missing:${crypto.randomUUID()}`,
      build: () =>
        db
          .select()
          .from(users)
          .where(eq(users.id, new Placeholder('id'))),
      values: { other: 1 },
      row: userRow,
    }
    expect(() => cachedRead(db, statement, (rows) => rows)).toThrow(/no value for id/)
  })

  it('refuses one placeholder name with two values', () => {
    expect(() => mergeValues({ a: 1 }, { a: 2 })).toThrow(/a has two values/)
    expect(mergeValues({ a: 1 }, { a: 1, b: 2 })).toEqual({ a: 1, b: 2 })
  })
})

describe('expressions and batches', () => {
  it('an expression is also plain Drizzle SQL with its values bound', async () => {
    const rows = await db
      .select()
      .from(users)
      .where(eq(users.id, userIdByUsername(author.username.toUpperCase())))
    expect(rows.map((row) => row.id)).toEqual([author.id])
  })

  it('one batch mixes Drizzle reads and cached reads in one round trip', async () => {
    const stats = newD1Stats()
    const counted = createDb(env.DB, stats)
    const results = await batchReads(counted, [
      cachedRead(counted, userByUsernameStatement(counted, author.username), (rows) => rows[0]?.id),
      read(counted.select({ id: users.id }).from(users).where(eq(users.id, reader.id)), (rows) => rows[0]?.id),
      null,
      cachedRead(counted, isFollowingStatement(counted, reader.id, author.id), (rows) => rows.length > 0),
    ] as const)
    expect(results).toEqual([author.id, reader.id, null, true])
    expect(stats.roundTrips).toBe(1)
  })
})
