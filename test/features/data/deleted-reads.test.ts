import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { createApp } from '../../../src/app'
import { beforeAll, describe, expect, it } from 'vitest'
import { followUser } from '../../../src/features/follows/queries'
import { sendMessage } from '../../../src/features/messages/actions'
import { createPost } from '../../../src/features/posts/queries'
import type { User } from '../../../src/db/schema'
import { ApiClient } from '../../api/contract'
import { Client, db, makeUser, PASSWORD, uniqueName } from '../../helpers'

// From the moment a deletion is confirmed (`users.deleted_at` set in the confirming batch)
// the member's posts, name and conversations are gone from every read, site and API alike,
// while the deletion job has not removed a single row yet. The member is marked here the
// way the confirmation marks them, and no job runs, so only the reads' filters can hide them.

type Named = { username: string }
type Paged<T> = { items: T[] }

let gone: User
let friend: User
let followed: User
let stranger: User
let postId: number
const word = `vanish${Date.now().toString(36)}`
const body = `${word} words of a member who leaves`

const friendSite = new Client()
const strangerSite = new Client()
const api = new ApiClient()
let friendToken = ''

beforeAll(async () => {
  gone = await makeUser(uniqueName('gone'))
  friend = await makeUser()
  followed = await makeUser()
  stranger = await makeUser()
  await followUser(db, friend.id, gone.id)
  await followUser(db, gone.id, friend.id)
  await followUser(db, gone.id, followed.id)
  await sendMessage(db, gone.id, friend.id, `${word} a private hello`)
  // Delivered in the request's batch: the post is in the friend's home timeline too.
  postId = (await createPost(db, gone, body, 'en')).id
  await friendSite.login(friend.username)
  await strangerSite.login(stranger.username)
  friendToken = await api.token(friend.username, PASSWORD)
})

/** Every surface, as text: what a reader (site or API) would see of the member. */
async function surfaces(): Promise<Record<string, { status: number; text: string }>> {
  const read = async (response: Promise<Response>) => {
    const r = await response
    return { status: r.status, text: await r.text() }
  }
  const prefix = gone.username.slice(0, 6)
  const bearer = { token: friendToken }
  return {
    home: await read(friendSite.get('/')),
    explore: await read(new Client().get('/explore')),
    profile: await read(new Client().get(`/user/${gone.username}`)),
    postPage: await read(new Client().get(`/post/${postId}`)),
    popup: await read(new Client().get(`/user/${gone.username}/popup`)),
    searchPosts: await read(new Client().get(`/search?q=${word}`)),
    searchPeople: await read(new Client().get(`/search?q=${prefix}`)),
    friendFollowers: await read(new Client().get(`/user/${friend.username}/followers`)),
    friendFollowing: await read(new Client().get(`/user/${friend.username}/following`)),
    followedFollowers: await read(new Client().get(`/user/${followed.username}/followers`)),
    inbox: await read(friendSite.get('/messages')),
    thread: await read(friendSite.get(`/messages/${gone.username}`)),
    whoToFollow: await read(strangerSite.get('/who-to-follow', { htmx: true })),
    apiTimeline: await read(api.api('GET', '/api/timeline', bearer)),
    apiExplore: await read(api.api('GET', '/api/explore')),
    apiPost: await read(api.api('GET', `/api/posts/${postId}`)),
    apiUser: await read(api.api('GET', `/api/users/${gone.id}`)),
    apiUserByName: await read(api.api('GET', `/api/users/by-username/${gone.username}`)),
    apiUserPosts: await read(api.api('GET', `/api/users/${gone.id}/posts`)),
    apiUsers: await read(api.api('GET', '/api/users?limit=100')),
    apiSearchPosts: await read(api.api('GET', `/api/search?q=${word}&type=posts`)),
    apiSearchPeople: await read(api.api('GET', `/api/search?q=${prefix}&type=people`)),
    apiFriendFollowers: await read(api.api('GET', `/api/users/${friend.id}/followers`)),
    apiFriendFollowing: await read(api.api('GET', `/api/users/${friend.id}/following`)),
    apiFollowedFollowers: await read(api.api('GET', `/api/users/${followed.id}/followers`)),
    apiInbox: await read(api.api('GET', '/api/messages', bearer)),
    apiThread: await read(api.api('GET', `/api/messages/${gone.username}`, bearer)),
  }
}

/** Where the member shows: their words, or their name in a list. */
function shows(name: string, text: string): boolean {
  if (name.startsWith('api') && !['apiPost', 'apiUser', 'apiUserByName', 'apiThread'].includes(name)) {
    type Item = Named & { body?: string; last_message?: string; author?: Named; other?: Named }
    const parsed = JSON.parse(text) as Paged<Item> & { people?: Item[] }
    const items = [...(parsed.items ?? []), ...(parsed.people ?? [])]
    return items.some(
      (item) =>
        item.username === gone.username ||
        item.author?.username === gone.username ||
        item.other?.username === gone.username ||
        (item.body ?? item.last_message ?? '').includes(word),
    )
  }
  // Not the word alone: a search page repeats the query.
  return (
    text.includes('a member who leaves') || text.includes('a private hello') || text.includes(`/user/${gone.username}"`)
  )
}

describe('a member marked deleted, before the job has run', () => {
  it('shows on every surface while the account is live (the checks can see them)', async () => {
    const seen = await surfaces()
    for (const [name, { status, text }] of Object.entries(seen)) {
      expect(status, name).toBe(200)
      expect(shows(name, text), `${name} should show the member`).toBe(true)
    }
  })

  it('is gone at once from every surface, site and API: 404s and absent from lists', async () => {
    await env.DB.prepare('UPDATE users SET deleted_at = ? WHERE id = ?').bind(Date.now(), gone.id).run()
    // Nothing was removed: only the mark hides them.
    const rows = await env.DB.prepare(
      `SELECT (SELECT count(*) FROM posts WHERE user_id = ?1) + (SELECT count(*) FROM timeline_entries WHERE author_id = ?1)
         + (SELECT count(*) FROM follows WHERE follower_id = ?1 OR followed_id = ?1)
         + (SELECT count(*) FROM conversations WHERE user_a_id = ?1 OR user_b_id = ?1) AS n`,
    )
      .bind(gone.id)
      .first<number>('n')
    expect(rows).toBeGreaterThanOrEqual(7)

    const seen = await surfaces()
    const notFound = new Set([
      'profile',
      'postPage',
      'popup',
      'thread',
      'apiPost',
      'apiUser',
      'apiUserByName',
      'apiUserPosts',
      'apiThread',
    ])
    // Every surface that still shows them, at once (not only the first).
    const leaks = Object.entries(seen)
      .filter(([name, { status, text }]) => (notFound.has(name) ? status !== 404 : status !== 200 || shows(name, text)))
      .map(([name, { status }]) => `${name} (${status})`)
    expect(leaks).toEqual([])
  })

  it('search still fills a page when a deleted member had the newest matches', async () => {
    const prolific = await makeUser()
    const other = await makeUser()
    const term = `refill${Date.now().toString(36)}`
    for (let i = 0; i < 3; i++) await createPost(db, other, `${term} kept ${i}`, 'en', 1000 + i)
    for (let i = 0; i < 30; i++) await createPost(db, prolific, `${term} hidden ${i}`, 'en', 2000 + i)
    await env.DB.prepare('UPDATE users SET deleted_at = ? WHERE id = ?').bind(Date.now(), prolific.id).run()
    const page = (await (await api.api('GET', `/api/search?q=${term}&type=posts&limit=3`)).json()) as Paged<{
      body: string
    }>
    expect(page.items.map((post) => post.body).sort()).toEqual([0, 1, 2].map((i) => `${term} kept ${i}`))
  })
})

describe('the edge cache for visitors, at the confirmation', () => {
  it('drops the copies of explore and the profile that show the member, so the next visitor reads D1', async () => {
    // Clients of one app with the edge cache on (the tests' default switches it off).
    const app = createApp()
    const cached = (client: Client) => {
      client.transport = async (request) => {
        const ctx = createExecutionContext()
        const response = await app.fetch(request, { ...env, EDGE_CACHE_TTL: '60' } as Cloudflare.Env, ctx)
        await waitOnExecutionContext(ctx)
        return response
      }
      return client
    }
    const leaving = await makeUser()
    const words = `cached${Date.now().toString(36)} farewell`
    await createPost(db, leaving, words, 'en')
    const visitor = cached(new Client())
    for (const path of ['/explore', `/user/${leaving.username}`, `/user/${leaving.username}/popup`]) {
      expect((await visitor.get(path)).headers.get('X-Cache'), path).toBe('MISS')
      expect((await visitor.get(path)).headers.get('X-Cache'), path).toBe('HIT')
    }
    const member = cached(new Client())
    await member.login(leaving.username)
    const confirmed = await member.post('/settings/delete-account', { password: PASSWORD, confirm: leaving.username })
    expect(confirmed.status).toBe(303)
    // The member follows the redirect with their flash cookie (never served from the cache);
    // the next visitor of this data centre gets explore from D1.
    const explore = await visitor.get('/explore')
    expect(explore.headers.get('X-Cache')).toBe('MISS')
    expect(await explore.text()).not.toContain(words)
    expect((await visitor.get(`/user/${leaving.username}`)).status).toBe(404)
    expect((await visitor.get(`/user/${leaving.username}/popup`)).status).toBe(404)
  })
})
