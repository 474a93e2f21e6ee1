import { describe, expect, it } from 'vitest'
import { db, makeUser, PASSWORD, uniqueName } from '../helpers'
import { followUser } from '../../src/features/follows/queries'
import { ApiClient } from './contract'

type UserJson = {
  id: number
  username: string
  about_me: string
  language: string | null
  email?: string
  follower_count: number
}
type Page<T> = {
  items: T[]
  _meta: { limit: number; count: number; next_cursor: string | null }
  _links: { self: string; next: string | null }
}

describe('GET /api/users/:id and /api/users/by-username/:username', () => {
  it('returns a member with links, ISO times and counts; email only to themselves', async () => {
    const user = await makeUser()
    const fan = await makeUser()
    await followUser(db, fan.id, user.id)
    const api = new ApiClient()
    const response = await api.api('GET', `/api/users/${user.id}`)
    expect(response.status).toBe(200)
    const body = (await response.json()) as UserJson & { _links: Record<string, string>; last_seen: string }
    expect(body).toMatchObject({ id: user.id, username: user.username, follower_count: 1 })
    expect(body.email).toBeUndefined()
    expect(body.last_seen).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
    expect(body._links.self).toBe(`/api/users/${user.id}`)
    expect(body._links.followers).toBe(`/api/users/${user.id}/followers`)

    const byName = await api.api('GET', `/api/users/by-username/${user.username.toUpperCase()}`)
    expect(((await byName.json()) as UserJson).id).toBe(user.id)
    const token = await api.token(fan.username, PASSWORD)
    expect(((await (await api.api('GET', `/api/users/${fan.id}`, { token })).json()) as UserJson).email).toBe(fan.email)
  })

  it('answers 404 for an unknown member and 400 for an id that is not a number', async () => {
    const api = new ApiClient()
    expect((await api.api('GET', '/api/users/999999')).status).toBe(404)
    expect((await api.api('GET', '/api/users/by-username/nobody_at_all')).status).toBe(404)
    const bad = await api.api('GET', '/api/users/abc')
    expect(bad.status).toBe(400)
    expect(await bad.json()).toMatchObject({
      error: 'bad_request',
      fields: { id: 'An id is a positive whole number.' },
    })
  })
})

describe('GET /api/users', () => {
  it('pages with _meta and _links.next until the end, without repeats', async () => {
    for (let i = 0; i < 3; i++) await makeUser()
    const api = new ApiClient()
    const seen: number[] = []
    let next: string | null = '/api/users?limit=2'
    let pages = 0
    while (next && pages < 50) {
      const response = await api.api('GET', next)
      expect(response.status).toBe(200)
      const page = (await response.json()) as Page<{ id: number }>
      expect(page._meta.limit).toBe(2)
      expect(page.items.length).toBeLessThanOrEqual(2)
      seen.push(...page.items.map((u) => u.id))
      next = page._links.next
      pages++
    }
    expect(new Set(seen).size).toBe(seen.length)
    expect(seen.length).toBeGreaterThanOrEqual(3)
  })

  it('refuses a bad cursor or limit with 400; a cursor past the end is an empty page', async () => {
    const api = new ApiClient()
    for (const query of ['before=nonsense', 'limit=0', 'limit=101', 'limit=ten']) {
      const response = await api.api('GET', `/api/users?${query}`)
      expect(response.status, query).toBe(400)
    }
    const end = (await (await api.api('GET', '/api/users?before=1-1')).json()) as Page<unknown>
    expect(end).toMatchObject({ items: [], _meta: { count: 0, next_cursor: null }, _links: { next: null } })
  })
})

describe('POST /api/users', () => {
  it('registers with the form rules and answers 201 with Location', async () => {
    const api = new ApiClient()
    const username = uniqueName('api')
    const response = await api.api('POST', '/api/users', {
      json: { username, email: `${username}@Example.com`, password: 'a long enough password' },
    })
    expect(response.status).toBe(201)
    const body = (await response.json()) as UserJson
    expect(response.headers.get('location')).toBe(`/api/users/${body.id}`)
    expect(body.email).toBe(`${username.toLowerCase()}@example.com`)
    expect((await api.token(username, 'a long enough password')).length).toBeGreaterThan(40)
  })

  it('answers 422 with the form messages per field, and for a taken name', async () => {
    const api = new ApiClient()
    const invalid = await api.api('POST', '/api/users', { json: { username: 'x!', email: 'no', password: 'password' } })
    expect(invalid.status).toBe(422)
    const body = (await invalid.json()) as { error: string; fields: Record<string, string> }
    expect(body.error).toBe('validation_failed')
    expect(Object.keys(body.fields).sort()).toEqual(['email', 'password', 'username'])
    const taken = await makeUser()
    const clash = await api.api('POST', '/api/users', {
      json: { username: taken.username.toUpperCase(), email: 'fresh@example.com', password: 'a long enough password' },
    })
    expect(clash.status).toBe(422)
    expect(((await clash.json()) as { fields: Record<string, string> }).fields.username).toMatch(/taken/i)
  })

  it('is rate-limited per IP like the form (10 an hour)', async () => {
    const api = new ApiClient()
    const answers = await Promise.all(
      Array.from({ length: 11 }, () =>
        api.api('POST', '/api/users', { json: { username: 'x', email: 'x', password: 'x' } }),
      ),
    )
    const limited = answers.filter((r) => r.status === 429)
    expect(limited).toHaveLength(1)
    expect(Number(limited[0]!.headers.get('retry-after'))).toBeGreaterThan(0)
  })
})

describe('PUT /api/users/:id', () => {
  it('changes your own username, about me and language', async () => {
    const user = await makeUser()
    const api = new ApiClient()
    const token = await api.token(user.username, PASSWORD)
    const username = uniqueName('new')
    const response = await api.api('PUT', `/api/users/${user.id}`, {
      token,
      json: { username, about_me: '  hi there  ', language: 'es' },
    })
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ username, about_me: 'hi there', language: 'es' })
  })

  it("refuses someone else's account (403), anonymous calls (401) and bad fields (422)", async () => {
    const user = await makeUser()
    const other = await makeUser()
    const api = new ApiClient()
    const token = await api.token(user.username, PASSWORD)
    expect((await api.api('PUT', `/api/users/${other.id}`, { token, json: { about_me: 'x' } })).status).toBe(403)
    expect((await api.api('PUT', `/api/users/${user.id}`, { json: { about_me: 'x' } })).status).toBe(401)
    const bad = await api.api('PUT', `/api/users/${user.id}`, {
      token,
      json: { about_me: 'x'.repeat(141), language: 'fr' },
    })
    expect(bad.status).toBe(422)
    expect(Object.keys(((await bad.json()) as { fields: object }).fields).sort()).toEqual(['about_me', 'language'])
    const taken = await api.api('PUT', `/api/users/${user.id}`, { token, json: { username: other.username } })
    expect(taken.status).toBe(422)
  })
})
