import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { createDb, newD1Stats } from '../../src/db/client'
import { followUser, unfollowUser } from '../../src/features/follows/queries'
import { fanoutOf, runFanoutMessage, type Fanout, type FanoutMessage } from '../../src/features/posts/fanout'
import { createPost, deletePost } from '../../src/features/posts/queries'
import { loggedIn, makeUser, uniqueName } from '../helpers'
import { seedPosts, seedUsers } from './data/job-helpers'

/**
 * Bounded fan-out on the real local D1 and the real `microblog-fanout`
 * queue: the defaults of fanout.ts (threshold and chunk 1,000), so 5,000 followers are five
 * chunks, each queued by the one before it.
 */

const FOLLOWED_AT = 1_600_000_000_000

/** A member followed by `n` fresh members (bulk INSERT … SELECT, not n requests), counters set. */
async function bigAuthor(n: number) {
  const author = await makeUser()
  // The trailing x: no prefix is the start of another (f…1x vs f…12x).
  const prefix = `${uniqueName('f').slice(0, 20)}x`
  const followers = await seedUsers(prefix, n)
  await env.DB.batch([
    env.DB.prepare(
      `INSERT INTO follows (follower_id, followed_id, created_at)
       SELECT id, ?1, ?2 + id FROM users WHERE username LIKE ?3 || '%'`,
    ).bind(author.id, FOLLOWED_AT, prefix),
    env.DB.prepare(
      `UPDATE users SET follower_count = (SELECT count(*) FROM follows WHERE followed_id = ?1) WHERE id = ?1`,
    ).bind(author.id),
  ])
  return { author, followers }
}

async function scalar(query: string, ...values: unknown[]): Promise<number> {
  const row = await env.DB.prepare(query)
    .bind(...values)
    .first<{ n: number }>()
  return row!.n
}

/** Timeline rows holding the post (a scan; fine in a test). */
const copies = (postId: number) => scalar('SELECT count(*) AS n FROM timeline_entries WHERE post_id = ?', postId)

/** Followers of the author whose timeline does not hold the post. */
const missing = (postId: number, authorId: number) =>
  scalar(
    `SELECT count(*) AS n FROM follows f WHERE f.followed_id = ?2 AND NOT EXISTS
       (SELECT 1 FROM timeline_entries t WHERE t.owner_id = f.follower_id AND t.post_id = ?1)`,
    postId,
    authorId,
  )

async function waitForCopies(postId: number, expected: number, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let n = await copies(postId)
  while (n !== expected) {
    if (Date.now() > deadline) throw new Error(`post ${postId}: ${n} timeline copies, waited for ${expected}`)
    await new Promise((resolve) => setTimeout(resolve, 200))
    n = await copies(postId)
  }
}

/** A fan-out that keeps its messages instead of queueing them: the test runs the chunks. */
function heldFanout(): Fanout & { sent: FanoutMessage[] } {
  const sent: FanoutMessage[] = []
  const queue = { send: async (message: FanoutMessage) => void sent.push(message) } as unknown as Queue<unknown>
  return { ...fanoutOf(env), queue, sent }
}

/** Runs a chain of chunks to its end, from `first`; returns how many chunks it took. */
async function runChain(first: FanoutMessage): Promise<number> {
  let message: FanoutMessage | null = first
  let chunks = 0
  while (message) {
    message = await runFanoutMessage(createDb(env.DB), message, fanoutOf(env).chunk)
    chunks += 1
  }
  return chunks
}

describe('fan-out to an author with 5,000 followers', () => {
  it('posting writes a bounded number of rows; once the queue drains every follower has it exactly once', async () => {
    const { author } = await bigAuthor(5000)
    const stats = newD1Stats()
    const post = await createPost(
      createDb(env.DB, stats),
      author,
      'to all five thousand',
      'en',
      Date.now(),
      undefined,
      fanoutOf(env),
    )
    // The post (with its indexes and search index), the author's entry and the count: the
    // same few rows with 5 followers or 5 million. In the request's batch it would be > 5,000.
    expect(stats.rowsWritten).toBeLessThan(40)
    expect(stats.queries).toBeLessThanOrEqual(5)

    await waitForCopies(post.id, 5001)
    expect(await missing(post.id, author.id)).toBe(0)
    expect(
      await scalar('SELECT count(*) AS n FROM timeline_entries WHERE owner_id = ? AND post_id = ?', author.id, post.id),
    ).toBe(1)
    // Exactly once each: one row per reader, no reader twice.
    expect(await scalar('SELECT count(DISTINCT owner_id) AS n FROM timeline_entries WHERE post_id = ?', post.id)).toBe(
      5001,
    )

    // A redelivered chunk (the platform delivers at least once) adds nothing twice.
    const again = newD1Stats()
    const next = await runFanoutMessage(
      createDb(env.DB, again),
      { kind: 'deliver', postId: post.id, after: null },
      1000,
    )
    expect(next?.after).not.toBeNull()
    expect(again.rowsWritten).toBe(0)
    expect(await runChain({ kind: 'deliver', postId: post.id, after: null })).toBe(6)
    expect(await copies(post.id)).toBe(5001)

    // Deleting it removes all 5,001 copies: the request only the author's, the queue the rest.
    const deleting = newD1Stats()
    expect(await deletePost(createDb(env.DB, deleting), post.id, author.id, fanoutOf(env))).toEqual({ ok: true })
    expect(deleting.rowsWritten).toBeLessThan(40)
    await waitForCopies(post.id, 0)
    expect(await scalar('SELECT count(*) AS n FROM posts WHERE id = ?', post.id)).toBe(0)
  }, 120_000)

  it('a post deleted before its delivery finishes is not brought back by the remaining chunks', async () => {
    const { author } = await bigAuthor(2500)
    const held = heldFanout()
    const post = await createPost(createDb(env.DB), author, 'here and gone', null, Date.now(), undefined, held)
    expect(held.sent).toEqual([{ kind: 'deliver', postId: post.id, after: null }])
    const second = await runFanoutMessage(createDb(env.DB), held.sent[0]!, 1000)
    expect(await copies(post.id)).toBe(1001)

    await deletePost(createDb(env.DB), post.id, author.id, held)
    const removal = held.sent[1]!
    expect(removal).toMatchObject({ kind: 'remove', postId: post.id, authorId: author.id, after: null })
    // The delivery's next chunk (already queued) finds no post: it writes nothing and ends.
    expect(await runChain(second!)).toBe(1)
    expect(await copies(post.id)).toBe(1000)
    expect(await runChain(removal)).toBe(3)
    expect(await copies(post.id)).toBe(0)
  }, 60_000)

  it('people who unfollow or follow while a delivery is under way end up right', async () => {
    const { author, followers } = await bigAuthor(2500)
    const held = heldFanout()
    const post = await createPost(
      createDb(env.DB),
      author,
      'while you were following',
      null,
      Date.now(),
      undefined,
      held,
    )
    const second = await runFanoutMessage(createDb(env.DB), held.sent[0]!, 1000)
    // Chunks go in follow order: the first follower got it, the last one has not yet.
    const [first, last] = [followers[0]!, followers.at(-1)!]
    expect(
      await scalar('SELECT count(*) AS n FROM timeline_entries WHERE owner_id = ? AND post_id = ?', first, post.id),
    ).toBe(1)
    expect(
      await scalar('SELECT count(*) AS n FROM timeline_entries WHERE owner_id = ? AND post_id = ?', last, post.id),
    ).toBe(0)
    const db = createDb(env.DB)
    await unfollowUser(db, first, author.id)
    await unfollowUser(db, last, author.id)
    // A new follower gets it from the follow's copy, and again from a later chunk: once.
    const newcomer = await makeUser()
    await followUser(db, newcomer.id, author.id)
    expect(await runChain(second!)).toBe(2)

    const has = (owner: number) =>
      scalar('SELECT count(*) AS n FROM timeline_entries WHERE owner_id = ? AND post_id = ?', owner, post.id)
    expect([await has(first), await has(last), await has(newcomer.id)]).toEqual([0, 0, 1])
    expect(await missing(post.id, author.id)).toBe(0)
    expect(await copies(post.id)).toBe(2500 - 2 + 1 + 1)
  }, 60_000)

  it('below the threshold the post is delivered in the request, with nothing queued', async () => {
    const { author, followers } = await bigAuthor(1000)
    const held = heldFanout()
    const post = await createPost(createDb(env.DB), author, 'small enough', null, Date.now(), undefined, held)
    expect(held.sent).toEqual([])
    expect(await copies(post.id)).toBe(followers.length + 1)
    await deletePost(createDb(env.DB), post.id, author.id, held)
    expect(held.sent).toEqual([])
    expect(await copies(post.id)).toBe(0)
  })
})

describe('following an author with 3,000 posts', () => {
  it('copies exactly the newest 500 into the timeline', async () => {
    const author = await makeUser()
    await seedPosts(author.id, 3000)
    const { user: me, client } = await loggedIn()
    await followUser(createDb(env.DB), me.id, author.id)
    expect(await scalar('SELECT count(*) AS n FROM timeline_entries WHERE owner_id = ?', me.id)).toBe(500)
    // The newest 500: every copied post is newer than every post left out.
    const oldestCopied = await scalar(
      'SELECT min(created_at) AS n FROM timeline_entries WHERE owner_id = ? AND author_id = ?',
      me.id,
      author.id,
    )
    const newestLeft = await scalar(
      `SELECT max(created_at) AS n FROM posts p WHERE p.user_id = ?2 AND NOT EXISTS
         (SELECT 1 FROM timeline_entries t WHERE t.owner_id = ?1 AND t.post_id = p.id)`,
      me.id,
      author.id,
    )
    expect(oldestCopied).toBeGreaterThan(newestLeft)
    expect(
      await scalar('SELECT count(*) AS n FROM posts WHERE user_id = ? AND created_at >= ?', author.id, oldestCopied),
    ).toBe(500)
    // And the home page shows them (the follow goes through the same query as POST /follow).
    expect((await client.get('/')).status).toBe(200)
  })
})
