import { env } from 'cloudflare:workers'
import { eq, sql } from 'drizzle-orm'
import { beforeAll, describe, expect, it } from 'vitest'
import { createDb, newD1Stats } from '../../src/db/client'
import type { MemberRef } from '../../src/db/member'
import { bind, prepareOnce, runBatch, runStatement, type Statement } from '../../src/db/read'
import { sessions, users } from '../../src/db/schema'
import { followUser, isFollowingRead } from '../../src/features/follows/queries'
import { markThreadReadWrites, sendMessage } from '../../src/features/messages/actions'
import { inboxRead, threadRead } from '../../src/features/messages/queries'
import {
  createPost,
  exploreRead,
  homeTimelineRead,
  postByIdRead,
  userPostsRead,
} from '../../src/features/posts/queries'
import { userByUsernameRead } from '../../src/features/users/queries'
import { parseSessionToken, type SessionToken } from '../../src/lib/session-token'
import { createSession, sessionLookupRead } from '../../src/middleware/session-store'
import { db, makeUser } from '../helpers'

// The reads every page makes are Drizzle prepared queries, built once per isolate and bound
// on the request's D1 client (src/db/read.ts), so that a page sends them in one batch with
// the session lookup. These tests hold that layer to what it promises: Drizzle's own rows,
// the request's own values, one round trip per batch.

let author = { id: 0, username: '', email: '' }
let reader = { id: 0, username: '' }
let session: SessionToken = { id: '', secret: '' }
let browserSession: SessionToken = { id: '', secret: '' }
const postIds: number[] = []
/** The posts' times: far in the future, so they are the newest of explore. */
const base = Date.now() + 10 * 365 * 24 * 3600_000

beforeAll(async () => {
  // A few members first, so user ids and post ids do not coincide.
  for (let i = 0; i < 3; i++) await makeUser()
  const a = await makeUser()
  author = { id: a.id, username: a.username, email: a.email }
  reader = await makeUser()
  await env.DB.prepare(`UPDATE users SET language = 'es', created_at = 1700000000017 WHERE id IN (?, ?)`)
    .bind(author.id, reader.id)
    .run()
  await followUser(db, reader.id, author.id, 1700000000019)
  for (let i = 0; i < 6; i++) {
    const post = await createPost(db, author, `post ${i}`, i % 2 === 0 ? 'en' : null, base + i * 1000)
    postIds.push(post.id)
  }
  await sendMessage(db, author.id, reader.id, 'hello', base)
  await sendMessage(db, author.id, reader.id, 'again', base + 1)
  session = parseSessionToken((await createSession(db, reader.id, true)).token)!
  browserSession = parseSessionToken((await createSession(db, reader.id, false)).token)!
}, 60_000)

describe('prepareOnce and bind', () => {
  const byUsername = (builds: { n: number }) =>
    prepareOnce((d) => {
      builds.n += 1
      return d
        .select({ id: users.id, username: users.username })
        .from(users)
        .where(eq(users.username, sql.placeholder('name')))
        .prepare()
    })

  it('builds a query once and binds each request’s own values', async () => {
    const builds = { n: 0 }
    const query = byUsername(builds)
    const first = await runStatement(bind(db, query(db), { name: author.username }))
    const second = await runStatement(bind(createDb(env.DB, newD1Stats()), query(db), { name: reader.username }))
    expect(builds.n).toBe(1)
    expect(first).toEqual([{ id: author.id, username: author.username }])
    expect(second).toEqual([{ id: reader.id, username: reader.username }])
  })

  it('builds one query per variant', async () => {
    const builds: string[] = []
    const query = prepareOnce((d, by: 'id' | 'name') => {
      builds.push(by)
      const where = by === 'id' ? eq(users.id, sql.placeholder('v')) : eq(users.username, sql.placeholder('v'))
      return d.select({ id: users.id }).from(users).where(where).prepare()
    })
    for (const by of ['id', 'name', 'id', 'name'] as const) {
      const value = by === 'id' ? reader.id : reader.username
      expect(await runStatement(bind(db, query(db, by), { v: value }))).toEqual([{ id: reader.id }])
    }
    expect(builds).toEqual(['id', 'name'])
  })

  it('refuses to run with a placeholder left without a value', () => {
    const query = byUsername({ n: 0 })
    expect(() => bind(db, query(db), { other: 1 })).toThrow(/No value for placeholder "name"/)
  })

  it('gives the rows Drizzle gives for the same query, decoded columns and joins included', async () => {
    const select = (name: unknown) =>
      db
        .select({ session: { id: sessions.id, persistent: sessions.persistent }, user: { name: users.username } })
        .from(sessions)
        .innerJoin(users, eq(users.id, sessions.userId))
        .where(eq(sessions.id, name as string))
    const prepared = prepareOnce((_d) => select(sql.placeholder('id')).prepare())
    for (const token of [session, browserSession]) {
      const expected = await select(token.id)
      expect(expected).toHaveLength(1)
      expect(await runStatement(bind(db, prepared(db), { id: token.id }))).toStrictEqual(expected)
      const [inBatch] = await runBatch(db, [bind(db, prepared(db), { id: token.id })])
      expect(inBatch).toStrictEqual(expected)
    }
  })

  it('sends a batch in one round trip, a null yielding null in its place', async () => {
    const stats = newD1Stats()
    const counted = createDb(env.DB, stats)
    const results = await runBatch(counted, [
      userByUsernameRead(counted, author.username),
      null,
      isFollowingRead(counted, { id: reader.id }, { id: author.id }),
    ] as const)
    expect(results[0]?.id).toBe(author.id)
    expect(results[1]).toBeNull()
    expect(results[2]).toBe(true)
    expect(stats.roundTrips).toBe(1)
    expect(await runBatch(counted, [null])).toEqual([null])
    expect(stats.roundTrips).toBe(1)
  })
})

describe('the reads of the pages', () => {
  const cursor = () => ({ createdAt: base + 3000, id: postIds[3]! })
  const bySession = (): MemberRef => ({ session, at: Date.now() })
  const byName = (name: string): MemberRef => ({ username: name.toUpperCase() })

  const cases: [string, () => Statement<unknown>][] = [
    ['explore, first page', () => exploreRead(db, { before: null })],
    ['explore, before a cursor', () => exploreRead(db, { before: cursor(), limit: 3 })],
    ['explore, after a cursor', () => exploreRead(db, { before: null, after: { ...cursor(), createdAt: 0 } })],
    ['a member’s posts by id', () => userPostsRead(db, { id: author.id }, { before: null })],
    ['a member’s posts by username', () => userPostsRead(db, byName(author.username), { before: cursor() })],
    ['home by member id', () => homeTimelineRead(db, { id: reader.id }, { before: null })],
    ['home by session, before a cursor', () => homeTimelineRead(db, bySession(), { before: cursor() })],
    ['a post by id', () => postByIdRead(db, postIds[1]!)],
    ['a member by username', () => userByUsernameRead(db, author.username.toUpperCase())],
    ['is following, by ids', () => isFollowingRead(db, { id: reader.id }, { id: author.id })],
    ['is following, by session and username', () => isFollowingRead(db, bySession(), byName(author.username))],
    ['a persistent session and its member', () => sessionLookupRead(db, session.id)],
    ['a browser session and its member', () => sessionLookupRead(db, browserSession.id)],
    ['the inbox by id', () => inboxRead(db, { id: reader.id }, { before: null })],
    ['the inbox by session', () => inboxRead(db, bySession(), { before: null })],
    [
      'a thread of two members',
      () => threadRead(db, { viewer: bySession(), other: byName(author.username) }, { before: null }),
    ],
  ]

  for (const [name, read] of cases) {
    it(`${name}: distinct column names, the same result alone and in a batch`, async () => {
      // D1 gives a batch's rows as objects keyed by column name: a second column of the
      // same name would overwrite the first and shift every column after it.
      const [columns] = await read().statement.raw<string[]>({ columnNames: true })
      expect(new Set(columns).size, columns!.join(', ')).toBe(columns!.length)
      const alone = await runStatement(read())
      expect(alone).toBeTruthy()
      expect(await runBatch(db, [read()])).toStrictEqual([alone])
    })
  }

  it('reads the rows asked for', async () => {
    const home = await runStatement(homeTimelineRead(db, bySession(), { before: null }))
    expect(home.items.slice(0, 6).map((p) => p.id)).toEqual([...postIds].reverse())
    expect(home.items[0]!.author).toEqual({ id: author.id, username: author.username, email: author.email })
    const post = await runStatement(postByIdRead(db, postIds[0]!))
    expect(post).toMatchObject({ body: 'post 0', language: 'en', createdAt: base })
    const [persistent, browser] = await runBatch(db, [
      sessionLookupRead(db, session.id),
      sessionLookupRead(db, browserSession.id),
    ])
    expect(persistent!.session.persistent).toBe(true)
    expect(browser!.session.persistent).toBe(false)
    expect(persistent!.user).toMatchObject({ id: reader.id, language: 'es', createdAt: 1700000000017 })
    expect(persistent!.session.createdAt).not.toBe(1700000000017)
    const [inbox] = await runBatch(db, [inboxRead(db, bySession(), { before: null })])
    expect(inbox.items).toEqual([
      expect.objectContaining({ other: { id: author.id, username: author.username, email: author.email }, unread: 2 }),
    ])
    const thread = await runStatement(
      threadRead(db, { viewer: bySession(), other: byName(author.username) }, { before: null }),
    )
    expect(thread.items.map((m) => m.body)).toEqual(['hello', 'again'])
  })

  it('a session with a wrong secret or past its expiry is nobody', async () => {
    const forged: MemberRef = { session: { id: session.id, secret: 'a'.repeat(24) }, at: Date.now() }
    const expired: MemberRef = { session, at: Date.now() + 365 * 24 * 3600_000 }
    for (const nobody of [forged, expired]) {
      const [home, following, inbox, thread] = await runBatch(db, [
        homeTimelineRead(db, nobody, { before: null }),
        isFollowingRead(db, nobody, { id: author.id }),
        inboxRead(db, nobody, { before: null }),
        threadRead(db, { viewer: nobody, other: { id: author.id } }, { before: null }),
      ])
      expect(home.items).toEqual([])
      expect(following).toBe(false)
      expect(inbox.items).toEqual([])
      expect(thread.items).toEqual([])
    }
  })

  it('marking a thread read writes only for the session’s member, and returns the new badge', async () => {
    const forged: MemberRef = { session: { id: session.id, secret: 'a'.repeat(24) }, at: Date.now() }
    const [none] = await runBatch(db, markThreadReadWrites(db, forged, byName(author.username), Date.now()))
    expect(none).toBeNull()
    const [badge] = await runBatch(db, markThreadReadWrites(db, bySession(), byName(author.username), Date.now()))
    expect(badge).toBe(0)
    const [again] = await runBatch(db, markThreadReadWrites(db, bySession(), byName(author.username), Date.now()))
    expect(again).toBeNull()
  })
})
