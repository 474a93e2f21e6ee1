import { sql } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { getUserById } from '../../src/features/users/queries'
import { db, makeUser, PASSWORD } from '../helpers'
import { ApiClient } from './contract'

type PostJson = { id: number; body: string }
type ErrorJson = { error: string; message: string; fields?: Record<string, string> }

async function member() {
  const user = await makeUser()
  const api = new ApiClient()
  return { user, api, token: await api.token(user.username, PASSWORD) }
}

function post(api: ApiClient, token: string, body: string, key?: string) {
  return api.api('POST', '/api/posts', {
    token,
    json: { body },
    headers: key === undefined ? {} : { 'Idempotency-Key': key },
  })
}

async function postsOf(userId: number): Promise<number> {
  const row = await db.get<{ n: number }>(sql`SELECT count(*) AS n FROM posts WHERE user_id = ${userId}`)
  return row!.n
}

describe('POST /api/posts with Idempotency-Key', () => {
  it('answers a retry with the first post (201, Idempotent-Replayed) and posts once', async () => {
    const { user, api, token } = await member()
    const key = crypto.randomUUID()
    const first = await post(api, token, 'Retry me', key)
    expect(first.status).toBe(201)
    expect(first.headers.get('idempotent-replayed')).toBeNull()
    const made = (await first.json()) as PostJson

    // The same request again — and the same text with other surrounding spaces.
    for (const body of ['Retry me', '  Retry me  ']) {
      const again = await post(api, token, body, key)
      expect(again.status).toBe(201)
      expect(again.headers.get('idempotent-replayed')).toBe('true')
      expect(again.headers.get('location')).toBe(`/api/posts/${made.id}`)
      expect(await again.json()).toEqual(made)
    }
    expect(await postsOf(user.id)).toBe(1)
    expect((await getUserById(db, user.id))?.postCount).toBe(1)

    // Without a key, every request is a new post, as before.
    expect((await post(api, token, 'Retry me')).status).toBe(201)
    expect((await post(api, token, 'Retry me')).status).toBe(201)
    expect(await postsOf(user.id)).toBe(3)
  })

  it('makes exactly one post when identical requests with one key race', async () => {
    const { user, api, token } = await member()
    const key = crypto.randomUUID()
    const responses = await Promise.all(Array.from({ length: 6 }, () => post(api, token, 'Racing post', key)))
    expect(responses.map((r) => r.status)).toEqual(Array(6).fill(201))
    const ids = await Promise.all(responses.map(async (r) => ((await r.json()) as PostJson).id))
    expect(new Set(ids).size).toBe(1)
    expect(responses.filter((r) => r.headers.get('idempotent-replayed') === null)).toHaveLength(1)
    expect(await postsOf(user.id)).toBe(1)
    expect((await getUserById(db, user.id))?.postCount).toBe(1)
    const entries = await db.get<{ n: number }>(
      sql`SELECT count(*) AS n FROM timeline_entries WHERE post_id = ${ids[0]}`,
    )
    expect(entries!.n).toBe(1)
  })

  it('refuses the same key with another body (422), and keeps answering the first request', async () => {
    const { user, api, token } = await member()
    const key = crypto.randomUUID()
    const made = (await (await post(api, token, 'The original', key)).json()) as PostJson
    const other = await post(api, token, 'Something else', key)
    expect(other.status).toBe(422)
    expect(((await other.json()) as ErrorJson).message).toBe(
      'This Idempotency-Key was already used with a different request body. Use a new key for a new post.',
    )
    const again = await post(api, token, 'The original', key)
    expect(((await again.json()) as PostJson).id).toBe(made.id)
    expect(await postsOf(user.id)).toBe(1)
  })

  it('scopes keys to the token, refuses malformed keys (400) and a key whose post was deleted (409)', async () => {
    const { user, api, token } = await member()
    const key = 'order-42'
    const first = (await (await post(api, token, 'Scoped', key)).json()) as PostJson
    // Another token, even the same member's, has its own keys.
    const second = await api.token(user.username, PASSWORD)
    const fromOther = await post(api, second, 'Scoped', key)
    expect(fromOther.status).toBe(201)
    expect(((await fromOther.json()) as PostJson).id).not.toBe(first.id)
    expect(await postsOf(user.id)).toBe(2)

    for (const bad of ['x'.repeat(256), 'has space', 'tab\tkey']) {
      const response = await post(api, token, 'Bad key', bad)
      expect(response.status).toBe(400)
      expect(((await response.json()) as ErrorJson).fields?.['idempotency-key']).toContain('Idempotency-Key')
    }
    expect((await post(api, token, 'Longest key', 'k'.repeat(255))).status).toBe(201)

    expect((await api.api('DELETE', `/api/posts/${first.id}`, { token })).status).toBe(204)
    const gone = await post(api, token, 'Scoped', key)
    expect(gone.status).toBe(409)
    expect(((await gone.json()) as ErrorJson).message).toContain('deleted')
    expect(await postsOf(user.id)).toBe(2)
  })

  it('forgets a key after 24 hours: the same key then makes a new post', async () => {
    const { user, api, token } = await member()
    const key = crypto.randomUUID()
    const first = (await (await post(api, token, 'Yesterday', key)).json()) as PostJson
    await db.run(
      sql`UPDATE api_idempotency_keys SET created_at = created_at - ${24 * 60 * 60 * 1000} WHERE key = ${key}`,
    )
    const later = await post(api, token, 'Yesterday', key)
    expect(later.status).toBe(201)
    expect(later.headers.get('idempotent-replayed')).toBeNull()
    const second = (await later.json()) as PostJson
    expect(second.id).not.toBe(first.id)
    expect(await postsOf(user.id)).toBe(2)
    // And the renewed key replays the new post.
    expect(((await (await post(api, token, 'Yesterday', key)).json()) as PostJson).id).toBe(second.id)
  })
})
