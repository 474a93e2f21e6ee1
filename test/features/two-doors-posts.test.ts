import { count, eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { posts, timelineEntries } from '../../src/db/schema'
import { getUserById } from '../../src/features/users/queries'
import { db, loggedIn, PASSWORD } from '../helpers'
import { openLive } from '../live-socket'
import { ApiClient } from '../api/contract'

// The site's forms and the API are two doors to one action per write: the same write
// through either door leaves the same rows, counts and live notices behind.

/** An author who can post through both doors, and a follower watching their home live. */
async function authorWithWatchingFollower() {
  const author = await loggedIn()
  const api = new ApiClient()
  const token = await api.token(author.user.username, PASSWORD)
  const reader = await loggedIn()
  expect((await reader.client.post(`/follow/${author.user.username}`)).status).toBe(303)
  const live = await openLive(reader.client)
  return { author, api, token, reader, live }
}

type Scene = Awaited<ReturnType<typeof authorWithWatchingFollower>>

/** What a write left behind: the author's posts and count, the follower's timeline and notices. */
async function effects(scene: Scene, { waitForNotice }: { waitForNotice: boolean }) {
  const authorId = scene.author.user.id
  if (waitForNotice) await scene.live.next((m) => m.includes('new-posts'))
  // Whatever else was coming has arrived by now.
  await new Promise((resolve) => setTimeout(resolve, 150))
  const [row] = await db.select({ n: count() }).from(posts).where(eq(posts.userId, authorId))
  const timeline = await db
    .select({ body: posts.body })
    .from(timelineEntries)
    .innerJoin(posts, eq(posts.id, timelineEntries.postId))
    .where(eq(timelineEntries.ownerId, scene.reader.user.id))
  return {
    posts: row!.n,
    postCount: (await getUserById(db, authorId))!.postCount,
    followerTimeline: timeline.map((row) => row.body),
    notices: scene.live.received.filter((m) => m.includes('new-posts')),
  }
}

describe('publishing a post: the form and POST /api/posts', () => {
  it('leave the same post, count, follower timeline and one live notice, even when a retry races', async () => {
    const site = await authorWithWatchingFollower()
    const form = { body: 'same words, two doors', form_key: crypto.randomUUID() }
    const answers = await Promise.all([site.author.client.post('/', form), site.author.client.post('/', form)])
    expect(answers.map((r) => r.status)).toEqual([303, 303])

    const api = await authorWithWatchingFollower()
    const request = { token: api.token, json: { body: 'same words, two doors' } }
    const headers = { 'Idempotency-Key': crypto.randomUUID() }
    const replies = await Promise.all([
      api.api.api('POST', '/api/posts', { ...request, headers }),
      api.api.api('POST', '/api/posts', { ...request, headers }),
    ])
    expect(replies.map((r) => r.status)).toEqual([201, 201])

    const throughSite = await effects(site, { waitForNotice: true })
    const throughApi = await effects(api, { waitForNotice: true })
    expect(throughSite).toMatchObject({ posts: 1, postCount: 1, followerTimeline: ['same words, two doors'] })
    expect(throughSite.notices).toHaveLength(1)
    expect(throughSite.notices[0]).toContain('1 new post<')
    expect(throughApi).toEqual(throughSite)
    site.live.ws.close()
    api.live.ws.close()
  })
})

describe('deleting a post: the form and DELETE /api/posts/:id', () => {
  it("leave no post, a zero count and an empty follower timeline; both refuse someone else's post", async () => {
    const scenes = { site: await authorWithWatchingFollower(), api: await authorWithWatchingFollower() }
    const ids: Record<string, number> = {}
    for (const [door, scene] of Object.entries(scenes)) {
      const made = await scene.api.api('POST', '/api/posts', { token: scene.token, json: { body: 'short-lived' } })
      ids[door] = ((await made.json()) as { id: number }).id
    }
    // Each author tries the other's post first: refused alike, nothing removed.
    expect((await scenes.site.author.client.post(`/post/${ids.api}/delete`)).status).toBe(403)
    expect((await scenes.api.api.api('DELETE', `/api/posts/${ids.site}`, { token: scenes.api.token })).status).toBe(403)

    expect((await scenes.site.author.client.post(`/post/${ids.site}/delete`)).status).toBe(303)
    expect((await scenes.api.api.api('DELETE', `/api/posts/${ids.api}`, { token: scenes.api.token })).status).toBe(204)

    const throughSite = await effects(scenes.site, { waitForNotice: true })
    const throughApi = await effects(scenes.api, { waitForNotice: true })
    expect(throughSite).toMatchObject({ posts: 0, postCount: 0, followerTimeline: [] })
    expect(throughApi).toEqual(throughSite)
    scenes.site.live.ws.close()
    scenes.api.live.ws.close()
  })
})

describe('a post id in a path', () => {
  it('is read by one rule at both doors: what the site does not find, the API refuses', async () => {
    const api = new ApiClient()
    for (const raw of ['0', '007', '1e3', '9999999999999999']) {
      expect((await api.get(`/post/${raw}`)).status, raw).toBe(404)
      expect((await api.api('GET', `/api/posts/${raw}`)).status, raw).toBe(400)
    }
  })
})
