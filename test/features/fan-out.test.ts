import { and, count, eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { posts, timelineEntries, users } from '../../src/db/schema'
import { FOLLOW_COPY_LIMIT, followUser, unfollowUser } from '../../src/features/follows/queries'
import { getUserById } from '../../src/features/users/queries'
import { db, loggedIn, makeUser, postBodies } from '../helpers'

/** Timeline rows `ownerId` holds of `authorId`'s posts. */
async function entries(ownerId: number, authorId: number): Promise<number> {
  const row = await db
    .select({ n: count() })
    .from(timelineEntries)
    .where(and(eq(timelineEntries.ownerId, ownerId), eq(timelineEntries.authorId, authorId)))
    .get()
  return row!.n
}

/** Posts written straight into `posts`, bypassing the app's fan-out (as old data would be). */
async function rawPosts(userId: number, n: number, base = Date.now() - 1_000_000) {
  const rows = Array.from({ length: n }, (_, i) => ({ userId, body: `raw ${i}`, createdAt: base + i }))
  for (let i = 0; i < rows.length; i += 20) await db.insert(posts).values(rows.slice(i, i + 20))
}

describe('fan-out on write', () => {
  it("delivers a new post to every follower's home timeline", async () => {
    const author = await loggedIn()
    const fans = await Promise.all([loggedIn(), loggedIn()])
    for (const fan of fans) expect((await fan.client.post(`/follow/${author.user.username}`)).status).toBe(303)
    expect((await author.client.post('/', { body: 'fresh from the author' })).status).toBe(303)
    for (const fan of fans) {
      expect(postBodies(await (await fan.client.get('/')).text())).toEqual(['fresh from the author'])
      expect(await entries(fan.user.id, author.user.id)).toBe(1)
    }
    // Not delivered to someone who does not follow.
    const stranger = await loggedIn()
    expect(postBodies(await (await stranger.client.get('/')).text())).toEqual([])
  })

  it("removes the author's posts from the home timeline on unfollow", async () => {
    const author = await loggedIn()
    const fan = await loggedIn()
    await fan.client.post(`/follow/${author.user.username}`)
    await author.client.post('/', { body: 'soon gone from your timeline' })
    await fan.client.post('/', { body: 'my own post stays' })
    expect(postBodies(await (await fan.client.get('/')).text())).toHaveLength(2)
    expect((await fan.client.post(`/unfollow/${author.user.username}`)).status).toBe(303)
    expect(postBodies(await (await fan.client.get('/')).text())).toEqual(['my own post stays'])
    expect(await entries(fan.user.id, author.user.id)).toBe(0)
  })
})

describe('following is idempotent and cheap', () => {
  it('a second follow writes no timeline rows and changes no counter', async () => {
    const { user: me, client } = await loggedIn()
    const author = await makeUser()
    await rawPosts(author.id, 3)
    expect((await client.post(`/follow/${author.username}`)).status).toBe(303)
    expect(await entries(me.id, author.id)).toBe(3)
    // A post that (like an old one) is not in my timeline: a repeated follow must not copy it.
    await rawPosts(author.id, 1, Date.now())
    expect((await client.post(`/follow/${author.username}`)).status).toBe(303)
    expect(await entries(me.id, author.id)).toBe(3)
    expect(await followUser(db, me.id, author.id)).toEqual({ created: false })
    expect(await entries(me.id, author.id)).toBe(3)
    expect((await getUserById(db, author.id))!.followerCount).toBe(1)
    expect((await getUserById(db, me.id))!.followingCount).toBe(1)
  })

  it('moves counters by exactly ±1, and only when the edge changed', async () => {
    const me = await makeUser()
    const author = await makeUser()
    // Counters that are not recomputed from scratch on every click (a full count per follow).
    await db.update(users).set({ followerCount: 40 }).where(eq(users.id, author.id))
    await db.update(users).set({ followingCount: 7 }).where(eq(users.id, me.id))
    expect(await followUser(db, me.id, author.id)).toEqual({ created: true })
    await followUser(db, me.id, author.id)
    expect((await getUserById(db, author.id))!.followerCount).toBe(41)
    expect((await getUserById(db, me.id))!.followingCount).toBe(8)
    expect(await unfollowUser(db, me.id, author.id)).toEqual({ removed: true })
    expect(await unfollowUser(db, me.id, author.id)).toEqual({ removed: false })
    expect((await getUserById(db, author.id))!.followerCount).toBe(40)
    expect((await getUserById(db, me.id))!.followingCount).toBe(7)
  })

  it(`copies only the newest ${FOLLOW_COPY_LIMIT} posts on follow`, async () => {
    const me = await makeUser()
    const author = await makeUser()
    await rawPosts(author.id, FOLLOW_COPY_LIMIT + 20)
    await followUser(db, me.id, author.id)
    expect(await entries(me.id, author.id)).toBe(FOLLOW_COPY_LIMIT)
    const oldest = await db
      .select({ body: posts.body })
      .from(timelineEntries)
      .innerJoin(posts, eq(posts.id, timelineEntries.postId))
      .where(eq(timelineEntries.ownerId, me.id))
      .orderBy(timelineEntries.createdAt)
      .get()
    expect(oldest!.body).toBe('raw 20')
  })

  it('two concurrent follows of one member create one edge and count it once', async () => {
    const me = await makeUser()
    const author = await makeUser()
    await rawPosts(author.id, 2)
    const results = await Promise.all([followUser(db, me.id, author.id), followUser(db, me.id, author.id)])
    expect(results.filter((r) => r.created)).toHaveLength(1)
    expect((await getUserById(db, author.id))!.followerCount).toBe(1)
    expect(await entries(me.id, author.id)).toBe(2)
  })
})
