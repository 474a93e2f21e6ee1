import { and, eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { timelineEntries } from '../../src/db/schema'
import { followUser } from '../../src/features/follows/queries'
import { deleteOwnPost, publishPost } from '../../src/features/posts/actions'
import { getPostById } from '../../src/features/posts/queries'
import { getUserById } from '../../src/features/users/queries'
import { db, loggedIn, makeUser } from '../helpers'
import { openLive } from '../live-socket'
import { testRuntime } from '../runtime'

/** The posts in a member's home timeline, newest first. */
async function timelineOf(ownerId: number) {
  const rows = await db.select().from(timelineEntries).where(eq(timelineEntries.ownerId, ownerId))
  return rows.map((row) => row.postId)
}

/** Waits a moment and answers whether a socket got nothing new since `from`. */
async function quietSince(live: Awaited<ReturnType<typeof openLive>>, from: number) {
  await new Promise((resolve) => setTimeout(resolve, 150))
  return live.received.slice(from)
}

describe('publishPost', () => {
  it("saves the post with its language, counts it, fills followers' timelines and tells them live", async () => {
    const author = await makeUser()
    const reader = await loggedIn()
    await followUser(db, reader.user.id, author.id)
    const live = await openLive(reader.client)
    const { runtime, settle, errors } = testRuntime()

    const { post, duplicate } = await publishPost(db, runtime, author, {
      body: 'The weather is lovely today',
      formKey: crypto.randomUUID(),
    })

    expect(duplicate).toBe(false)
    expect(post).toMatchObject({ body: 'The weather is lovely today', language: 'en', author: { id: author.id } })
    expect(await getPostById(db, post.id)).toMatchObject({ id: post.id, language: 'en' })
    expect((await getUserById(db, author.id))!.postCount).toBe(1)
    expect(await timelineOf(author.id)).toEqual([post.id])
    expect(await timelineOf(reader.user.id)).toEqual([post.id])
    await settle()
    expect(errors).toEqual([])
    expect(await live.next((m) => m.includes('new-posts'))).toContain('1 new post<')
    live.ws.close()
  })

  it('answers a repeat of the same form key with the first post, writes nothing twice, tells nobody twice', async () => {
    const author = await makeUser()
    const reader = await loggedIn()
    await followUser(db, reader.user.id, author.id)
    const live = await openLive(reader.client)
    const { runtime, settle } = testRuntime()
    const input = { body: 'only once', formKey: crypto.randomUUID() }

    const [first, second] = await Promise.all([
      publishPost(db, runtime, author, input),
      publishPost(db, runtime, author, input),
    ])

    expect(first.post.id).toBe(second.post.id)
    expect([first.duplicate, second.duplicate].sort()).toEqual([false, true])
    expect((await getUserById(db, author.id))!.postCount).toBe(1)
    expect(await timelineOf(reader.user.id)).toEqual([first.post.id])
    await settle()
    await live.next((m) => m.includes('new-posts'))
    const from = live.received.length
    expect(await quietSince(live, from)).toEqual([])
    expect(live.received.filter((m) => m.includes('new-posts'))).toHaveLength(1)
    live.ws.close()
  })
})

describe('deleteOwnPost', () => {
  it("removes the post, its timeline copies and the author's count", async () => {
    const author = await makeUser()
    const reader = await makeUser()
    await followUser(db, reader.id, author.id)
    const { runtime } = testRuntime()
    const { post } = await publishPost(db, runtime, author, { body: 'short-lived', formKey: crypto.randomUUID() })
    expect(await timelineOf(reader.id)).toEqual([post.id])

    expect(await deleteOwnPost(db, runtime, author, post.id)).toEqual({ ok: true })

    expect(await getPostById(db, post.id)).toBeNull()
    expect((await getUserById(db, author.id))!.postCount).toBe(0)
    expect(await timelineOf(author.id)).toEqual([])
    expect(await timelineOf(reader.id)).toEqual([])
  })

  it("refuses someone else's post (not-yours) and an unknown id (not-found), writing nothing", async () => {
    const author = await makeUser()
    const other = await makeUser()
    const { runtime } = testRuntime()
    const { post } = await publishPost(db, runtime, author, { body: 'mine', formKey: crypto.randomUUID() })

    expect(await deleteOwnPost(db, runtime, other, post.id)).toEqual({ ok: false, error: 'not-yours' })
    expect(await deleteOwnPost(db, runtime, author, post.id + 1_000_000)).toEqual({ ok: false, error: 'not-found' })

    expect(await getPostById(db, post.id)).not.toBeNull()
    expect((await getUserById(db, author.id))!.postCount).toBe(1)
    const own = await db
      .select()
      .from(timelineEntries)
      .where(and(eq(timelineEntries.ownerId, author.id), eq(timelineEntries.postId, post.id)))
    expect(own).toHaveLength(1)
  })
})
