import { sql } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { createPost } from '../../src/features/posts/queries'
import { Client, db, makeUser, PASSWORD, uniqueName } from '../helpers'
import { ApiClient } from './contract'

type PostJson = { id: number; body: string; author: { id: number; username: string } }
type UserJson = { id: number; username: string }
type SearchPage = {
  q: string
  items: PostJson[]
  people: UserJson[]
  _meta: { limit: number; count: number; next_cursor: string | null }
  _links: { self: string; next: string | null }
}
type ErrorJson = { error: string; message: string; fields?: Record<string, string> }

/** A word no other test uses (letters only, so FTS5 keeps it whole). */
function uniqueWord(): string {
  const tail = Array.from({ length: 8 }, () => String.fromCharCode(97 + Math.floor(Math.random() * 26))).join('')
  return `${uniqueName('w').replace(/[^a-z]/gi, '')}${tail}`.toLowerCase()
}

/** Each test file has its own D1, but tests in a file share it: a fresh address per client. */
const freshIp = () => `10.13.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`

async function search(api: ApiClient, query: string, token?: string) {
  const response = await api.api('GET', `/api/search?${query}`, { token })
  return { response, body: (await response.json()) as SearchPage & ErrorJson }
}

describe('GET /api/search', () => {
  it('finds posts by their words and members by username prefix, with or without a token', async () => {
    const word = uniqueWord()
    const author = await makeUser()
    const other = await createPost(db, author, `Nothing to see here`, null)
    const first = await createPost(db, author, `Morning ${word} walk by the river`, null, Date.now() - 1000)
    const second = await createPost(db, author, `Another ${word}`, null)
    const prefix = author.username.slice(0, author.username.length - 1)

    const api = new ApiClient(freshIp())
    const anonymous = await search(api, `q=${word}`)
    expect(anonymous.response.status).toBe(200)
    expect(anonymous.body.q).toBe(word)
    expect(anonymous.body.items.map((p) => p.id).sort()).toEqual([first.id, second.id].sort())
    expect(anonymous.body.items.map((p) => p.id)).not.toContain(other.id)
    expect(anonymous.body.items[0]!.author.username).toBe(author.username)
    expect(anonymous.body._links.next).toBeNull()
    expect(anonymous.body._links.self).toBe(`/api/search?q=${word}`)

    // The last word is a prefix; every word must match.
    const partial = await search(api, `q=${encodeURIComponent(`morning ${word.slice(0, -2)}`)}`)
    expect(partial.body.items.map((p) => p.id)).toEqual([first.id])

    const people = await search(api, `q=${prefix}`)
    expect(people.body.people.map((u) => u.username)).toContain(author.username)

    // A token sees the same; only posts, or only people, on request.
    const token = await api.token(author.username, PASSWORD)
    const withToken = await search(api, `q=${word}`, token)
    expect(withToken.body.items.map((p) => p.id)).toEqual(anonymous.body.items.map((p) => p.id))
    const postsOnly = await search(api, `q=${prefix}&type=posts`, token)
    expect(postsOnly.body.people).toEqual([])
    const peopleOnly = await search(api, `q=${prefix}&type=people`, token)
    expect(peopleOnly.body.items).toEqual([])
    expect(peopleOnly.body.people.map((u) => u.username)).toContain(author.username)
    expect(peopleOnly.body._links.self).toBe(`/api/search?q=${prefix}&type=people`)

    // A bearer token that is present but wrong is a 401, as everywhere in the API.
    const bad = await search(api, `q=${word}`, 'nope.nope')
    expect(bad.response.status).toBe(401)
    expect(bad.response.headers.get('www-authenticate')).toMatch(/^Bearer /)
  })

  it('pages through every match with _links.next, without repeats, in rank order', async () => {
    const word = uniqueWord()
    const author = await makeUser()
    const now = Date.now()
    // Same score for all (same text length and words), so the order is newest first.
    const made = []
    for (let i = 0; i < 7; i++) made.push(await createPost(db, author, `Paging ${word} item`, null, now - i * 1000))

    const api = new ApiClient(freshIp())
    const seen: number[] = []
    let path: string | null = `/api/search?q=${word}&limit=3`
    let pages = 0
    while (path) {
      const response = await api.api('GET', path)
      expect(response.status).toBe(200)
      const page = (await response.json()) as SearchPage
      expect(page._meta.limit).toBe(3)
      expect(page._meta.count).toBe(page.items.length)
      if (pages > 0) expect(page.people).toEqual([])
      seen.push(...page.items.map((p) => p.id))
      expect(page._links.next).toBe(
        page._meta.next_cursor ? `/api/search?q=${word}&limit=3&before=${page._meta.next_cursor}` : null,
      )
      path = page._links.next
      pages += 1
    }
    expect(pages).toBe(3)
    expect(new Set(seen).size).toBe(seen.length)
    expect(seen).toEqual(made.map((p) => p.id))
  })

  it('refuses bad input with a 400 and a helpful message: no q, empty, too long, nothing searchable, bad cursor', async () => {
    const word = uniqueWord()
    const author = await makeUser()
    for (let i = 0; i < 3; i++) await createPost(db, author, `Cursor ${word} test`, null, Date.now() - i * 1000)
    const api = new ApiClient(freshIp())

    const missing = await search(api, '')
    expect(missing.response.status).toBe(400)
    expect(missing.body.fields?.q).toBe('Give q: the words to search for.')
    for (const q of ['', '   ']) {
      const empty = await search(api, `q=${encodeURIComponent(q)}`)
      expect(empty.response.status).toBe(400)
      expect(empty.body.message).toBe('Give q: the words to search for.')
    }
    const long = await search(api, `q=${'a'.repeat(201)}`)
    expect(long.response.status).toBe(400)
    expect(long.body.message).toContain('200')
    expect((await search(api, `q=${'é'.repeat(200)}`)).response.status).toBe(200)
    const nothing = await search(api, `q=${encodeURIComponent('"* ( ) -')}`)
    expect(nothing.response.status).toBe(400)
    expect(nothing.body.message).toBe('q has no letters or digits to search for.')
    expect((await search(api, `q=${word}&type=everything`)).response.status).toBe(400)
    expect((await search(api, `q=${word}&limit=0`)).response.status).toBe(400)

    const first = await search(api, `q=${word}&limit=1`)
    const cursor = first.body._meta.next_cursor!
    expect(cursor).toBeTruthy()
    expect((await search(api, `q=${word}&limit=1&before=${cursor}`)).response.status).toBe(200)
    const forged = `${cursor.slice(0, -2)}${cursor.endsWith('AA') ? 'BB' : 'AA'}`
    for (const before of ['garbage', '1796068139214-42', forged, 'x'.repeat(600)]) {
      const bad = await search(api, `q=${word}&before=${encodeURIComponent(before)}`)
      expect(bad.response.status).toBe(400)
      expect(bad.body).toMatchObject({ error: 'bad_request', message: expect.stringContaining('cursor') })
    }
    // A cursor belongs to its query.
    expect((await search(api, `q=other${word}&before=${cursor}`)).response.status).toBe(400)
  })

  it('treats FTS5 operators and SQL as plain words: never a 500, nothing touched', async () => {
    const word = uniqueWord()
    const author = await makeUser()
    const tricky = await createPost(db, author, `He said "${word}" -minus NEAR(x) col:on`, null)
    const api = new ApiClient(freshIp())
    const before = await db.get<{ n: number }>(sql`SELECT count(*) AS n FROM posts`)
    const queries = [
      `"${word}`,
      `${word}"`,
      `-${word}`,
      `NEAR(${word}`,
      `${word} AND OR NOT`,
      `body:${word}`,
      `^${word}*`,
      `${word}'; DROP TABLE posts; --`,
      `${word} \u0000 \u0007`,
      `(${word}))`,
      `{${word}}`,
    ]
    for (const q of queries) {
      const { response, body } = await search(api, `q=${encodeURIComponent(q)}`)
      expect(response.status, q).toBe(200)
      expect(Array.isArray(body.items), q).toBe(true)
    }
    expect((await search(api, `q=${encodeURIComponent(`"${word}"`)}`)).body.items.map((p) => p.id)).toEqual([tricky.id])
    expect((await search(api, `q=${encodeURIComponent(`-minus ${word}`)}`)).body.items.map((p) => p.id)).toEqual([
      tricky.id,
    ])
    const after = await db.get<{ n: number }>(sql`SELECT count(*) AS n FROM posts`)
    expect(after!.n).toBe(before!.n)
  })

  it('is rate limited like the search page: 429 JSON with Retry-After, sharing the address budget', async () => {
    const api = new ApiClient(`10.14.${Math.floor(Math.random() * 250)}.1`)
    const responses = await Promise.all(Array.from({ length: 40 }, () => api.api('GET', '/api/search?q=burst')))
    const limited = responses.filter((r) => r.status === 429)
    expect(limited.length).toBeGreaterThanOrEqual(10)
    expect(responses.filter((r) => r.status === 200).length).toBeLessThanOrEqual(30)
    expect(limited[0]!.headers.get('retry-after')).toBe('10')
    expect(await limited[0]!.json()).toMatchObject({ error: 'rate_limited', message: expect.stringContaining('fast') })
    // The page, from the same address, is out of searches too; another address is not.
    expect((await new Client(api.ip).get('/search?q=burst')).status).toBe(429)
    expect((await new ApiClient(freshIp()).api('GET', '/api/search?q=burst')).status).toBe(200)
  })
})
