import { describe, expect, it } from 'vitest'
import { getUserById } from '../../src/features/users/queries'
import { db, makeUser, PASSWORD, uniqueName } from '../helpers'
import { ApiClient } from './contract'

type PostJson = { id: number; body: string; author: { id: number; username: string }; created_at: string }
type Page<T> = {
  items: T[]
  _meta: { limit: number; count: number; next_cursor: string | null }
  _links: { self: string; next: string | null }
}

async function member() {
  const user = await makeUser()
  const api = new ApiClient()
  return { user, api, token: await api.token(user.username, PASSWORD) }
}

describe('POST /api/posts', () => {
  it('creates a post (trimmed), with Location, and counts it', async () => {
    const { user, api, token } = await member()
    const response = await api.api('POST', '/api/posts', { token, json: { body: '  Hello from the API  ' } })
    expect(response.status).toBe(201)
    const post = (await response.json()) as PostJson
    expect(post).toMatchObject({ body: 'Hello from the API', author: { id: user.id, username: user.username } })
    expect(response.headers.get('location')).toBe(`/api/posts/${post.id}`)
    expect((await getUserById(db, user.id))?.postCount).toBe(1)
  })

  it('refuses empty and too long bodies (422), anonymous calls (401)', async () => {
    const { api, token } = await member()
    for (const body of ['   ', 'x'.repeat(141)]) {
      const response = await api.api('POST', '/api/posts', { token, json: { body } })
      expect(response.status).toBe(422)
      expect(((await response.json()) as { fields: Record<string, string> }).fields.body).toBeTruthy()
    }
    expect((await api.api('POST', '/api/posts', { token, json: {} })).status).toBe(422)
    const anonymous = await api.api('POST', '/api/posts', { json: { body: 'hi' } })
    expect(anonymous.status).toBe(401)
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer /)
  })
})

describe('GET and DELETE /api/posts/:id', () => {
  it('reads a post; its author deletes it (204), then it is gone everywhere', async () => {
    const { user, api, token } = await member()
    const post = (await (
      await api.api('POST', '/api/posts', { token, json: { body: 'short-lived' } })
    ).json()) as PostJson
    expect((await api.api('GET', `/api/posts/${post.id}`)).status).toBe(200)
    expect((await api.api('DELETE', `/api/posts/${post.id}`, { token })).status).toBe(204)
    expect((await api.api('GET', `/api/posts/${post.id}`)).status).toBe(404)
    const timeline = (await (await api.api('GET', '/api/timeline', { token })).json()) as Page<PostJson>
    expect(timeline.items.map((p) => p.id)).not.toContain(post.id)
    expect((await getUserById(db, user.id))?.postCount).toBe(0)
  })

  it("refuses to delete someone else's post (403), unknown ids (404), anonymous calls (401)", async () => {
    const author = await member()
    const other = await member()
    const post = (await (
      await author.api.api('POST', '/api/posts', { token: author.token, json: { body: 'mine' } })
    ).json()) as PostJson
    expect((await other.api.api('DELETE', `/api/posts/${post.id}`, { token: other.token })).status).toBe(403)
    expect((await other.api.api('DELETE', '/api/posts/99999999', { token: other.token })).status).toBe(404)
    expect((await other.api.api('DELETE', `/api/posts/${post.id}`)).status).toBe(401)
    expect((await other.api.api('GET', '/api/posts/0')).status).toBe(400)
    expect((await author.api.api('GET', `/api/posts/${post.id}`)).status).toBe(200)
  })
})

describe('timelines', () => {
  it("home timeline follows the tutorial's reference (john, susan, mary, david)", async () => {
    const names = ['john', 'susan', 'mary', 'david'].map((n) => uniqueName(n))
    const [john, susan, mary, david] = await Promise.all(names.map(async () => member()))
    const people = { john: john!, susan: susan!, mary: mary!, david: david! }
    for (const who of ['john', 'david', 'mary', 'susan'] as const) {
      const p = people[who]
      expect(
        (await p.api.api('POST', '/api/posts', { token: p.token, json: { body: `post from ${who}` } })).status,
      ).toBe(201)
      await new Promise((resolve) => setTimeout(resolve, 2))
    }
    for (const [a, b] of [
      ['john', 'susan'],
      ['john', 'david'],
      ['susan', 'mary'],
      ['mary', 'david'],
    ] as const) {
      const follow = await people[a].api.api('POST', `/api/users/${people[b].user.id}/follow`, {
        token: people[a].token,
      })
      expect(follow.status).toBe(200)
    }
    const expected = {
      john: ['susan', 'david', 'john'],
      susan: ['susan', 'mary'],
      mary: ['mary', 'david'],
      david: ['david'],
    }
    for (const who of Object.keys(expected) as (keyof typeof expected)[]) {
      const p = people[who]
      const page = (await (await p.api.api('GET', '/api/timeline', { token: p.token })).json()) as Page<PostJson>
      expect(page.items.map((post) => post.body)).toEqual(expected[who].map((n) => `post from ${n}`))
    }
    expect((await john!.api.api('GET', '/api/timeline')).status).toBe(401)
  })

  it("explore and a member's posts page with limit and cursor, no repeats; bad cursors are 400", async () => {
    const { user, api, token } = await member()
    for (let i = 0; i < 5; i++) await api.api('POST', '/api/posts', { token, json: { body: `numbered ${i}` } })
    for (const base of ['/api/explore', `/api/users/${user.id}/posts`]) {
      const bodies: string[] = []
      let next: string | null = `${base}?limit=2`
      while (next) {
        const page = (await (await api.api('GET', next)).json()) as Page<PostJson>
        expect(page.items.length).toBeLessThanOrEqual(2)
        expect(page._meta.count).toBe(page.items.length)
        bodies.push(...page.items.filter((p) => p.author.id === user.id).map((p) => p.body))
        next = page._links.next
        if (next) expect(next).toContain('limit=2')
      }
      expect(bodies).toEqual([4, 3, 2, 1, 0].map((i) => `numbered ${i}`))
      expect((await api.api('GET', `${base}?before=12-x`)).status).toBe(400)
    }
    expect((await api.api('GET', '/api/users/99999999/posts')).status).toBe(404)
  })
})

describe('social graph', () => {
  it('follows and unfollows (idempotent under a race), and lists both sides', async () => {
    const a = await member()
    const b = await member()
    const twice = await Promise.all(
      [1, 2].map(() => a.api.api('POST', `/api/users/${b.user.id}/follow`, { token: a.token })),
    )
    expect(twice.map((r) => r.status)).toEqual([200, 200])
    const followed = (await (await a.api.api('GET', `/api/users/${b.user.id}`)).json()) as { follower_count: number }
    expect(followed.follower_count).toBe(1)
    const followers = (await (await a.api.api('GET', `/api/users/${b.user.id}/followers`)).json()) as Page<{
      id: number
    }>
    expect(followers.items.map((u) => u.id)).toEqual([a.user.id])
    const following = (await (await a.api.api('GET', `/api/users/${a.user.id}/following`)).json()) as Page<{
      id: number
    }>
    expect(following.items.map((u) => u.id)).toEqual([b.user.id])
    const un = await a.api.api('DELETE', `/api/users/${b.user.id}/follow`, { token: a.token })
    expect(((await un.json()) as { follower_count: number }).follower_count).toBe(0)
  })

  it('refuses yourself (422), unknown members (404), anonymous calls (401), bad cursors (400)', async () => {
    const a = await member()
    expect((await a.api.api('POST', `/api/users/${a.user.id}/follow`, { token: a.token })).status).toBe(422)
    expect((await a.api.api('POST', '/api/users/99999999/follow', { token: a.token })).status).toBe(404)
    expect((await a.api.api('DELETE', `/api/users/${a.user.id}/follow`)).status).toBe(401)
    expect((await a.api.api('GET', '/api/users/99999999/followers')).status).toBe(404)
    expect((await a.api.api('GET', `/api/users/${a.user.id}/following?before=x`)).status).toBe(400)
  })
})
