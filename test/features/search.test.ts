import { sql } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { createPost } from '../../src/features/posts/queries'
import { Client, db, env, loggedIn, makeUser, postBodies, uniqueName } from '../helpers'

/** A word no other test in this file uses (letters only, so FTS5 keeps it whole). */
function uniqueWord(): string {
  return uniqueName('w')
    .replace(/[^a-z]/gi, '')
    .concat(Array.from({ length: 6 }, () => String.fromCharCode(97 + Math.floor(Math.random() * 26))).join(''))
    .toLowerCase()
}

async function post(body: string, at = Date.now()) {
  const author = await makeUser()
  return createPost(db, author, body, null, at)
}

/** Rows of the index itself matching `word` (a stale entry would still count here). */
async function indexed(word: string): Promise<number> {
  const row = await db.get<{ n: number }>(sql`SELECT count(*) AS n FROM posts_fts WHERE posts_fts MATCH ${`"${word}"`}`)
  return row!.n
}

async function search(q: string, client = new Client(), options: { htmx?: boolean } = {}) {
  const response = await client.get(`/search?q=${encodeURIComponent(q)}`, options)
  return { response, html: await response.text() }
}

/** The ids of the posts on a search page, in order. */
function postIds(html: string): number[] {
  return [...html.matchAll(/<article class="post" id="post-(\d+)"/g)].map((m) => Number(m[1]))
}

describe('search index (posts_fts, kept in sync by triggers)', () => {
  it('finds a new post, forgets a deleted one and re-indexes an edit', async () => {
    const word = uniqueWord()
    const other = uniqueWord()
    const created = await post(`Morning ${word} walk`)
    expect(await indexed(word)).toBe(1)
    expect(postIds((await search(word)).html)).toEqual([created.id])

    await db.run(sql`UPDATE posts SET body = ${`Evening ${other} walk`} WHERE id = ${created.id}`)
    expect(postIds((await search(word)).html)).toEqual([])
    expect(postIds((await search(other)).html)).toEqual([created.id])
    expect([await indexed(word), await indexed(other)]).toEqual([0, 1])

    await db.run(sql`DELETE FROM posts WHERE id = ${created.id}`)
    const { response, html } = await search(other)
    expect(response.status).toBe(200)
    expect(postIds(html)).toEqual([])
    expect(html).toContain('No posts match your search.')
    expect(await indexed(other)).toBe(0)
  })

  it('drops a post its author deletes (POST /post/:id/delete) from the results', async () => {
    const word = uniqueWord()
    const { user, client } = await loggedIn()
    const mine = await createPost(db, user, `Soon gone ${word}`, null)
    const kept = await post(`Staying ${word}`)
    expect(postIds((await search(word)).html).sort()).toEqual([mine.id, kept.id].sort())
    // The author sees a Delete control on their own result.
    expect((await search(word, client)).html).toContain(`action="/post/${mine.id}/delete`)
    expect((await client.post(`/post/${mine.id}/delete`)).status).toBe(303)
    expect(postIds((await search(word)).html)).toEqual([kept.id])
    expect(await indexed(word)).toBe(1)
  })

  it('is back-filled by the migration for posts that existed before it', async () => {
    const word = uniqueWord()
    const created = await post(`Old ${word} post`)
    // Empty the index, as before migration 0007, then run the migration's back-fill.
    await db.run(sql`INSERT INTO posts_fts (posts_fts) VALUES ('delete-all')`)
    expect(await indexed(word)).toBe(0)
    const migration = env.TEST_MIGRATIONS.find((m) => m.name.startsWith('0007_'))!
    const backfill = migration.queries.find((q) => q.includes("VALUES ('rebuild')"))!
    await env.DB.prepare(backfill).run()
    expect(await indexed(word)).toBe(1)
    expect(postIds((await search(word)).html)).toEqual([created.id])
  })

  it('folds case and accents: cafe finds Café', async () => {
    const word = uniqueWord()
    const created = await post(`Un Café ${word}`)
    expect(postIds((await search(`cafe ${word}`)).html)).toEqual([created.id])
    expect(postIds((await search(`CAFÉ ${word.toUpperCase()}`)).html)).toEqual([created.id])
  })

  it('matches the last word as a prefix while typing', async () => {
    const word = uniqueWord()
    const created = await post(`Reading about ${word}`)
    expect(postIds((await search(word.slice(0, 5))).html)).toContain(created.id)
  })
})

describe('GET /search ranking and pages', () => {
  it('ranks by relevance (bm25), newest first on ties', async () => {
    const word = uniqueWord()
    const once = await post(`${word} and some other words here`, 1000)
    const thrice = await post(`${word} ${word} ${word} other words`, 2000)
    // Same text, so the same score; the newer one was written first (a smaller id).
    const tieNew = await post(`${word} and more other words here`, 4000)
    const tieOld = await post(`${word} and more other words here`, 3000)
    const ids = postIds((await search(word)).html)
    expect(ids[0]).toBe(thrice.id)
    // Same score: the newer post (by time, not by id) comes first.
    expect(ids.indexOf(tieNew.id)).toBeLessThan(ids.indexOf(tieOld.id))
    expect(ids).toContain(once.id)
    expect(ids).toHaveLength(4)
  })

  it('pages through 30 matches with an opaque cursor: 25, then 5, no repeats', async () => {
    const word = uniqueWord()
    const author = await makeUser()
    // Equal scores throughout, times out of id order, two sharing a millisecond: the cursor
    // must carry the tie order (created_at, id) exactly.
    for (let i = 0; i < 30; i++)
      await createPost(db, author, `${word} number ${i}`, null, 10_000 + ((i * 7) % 30) - (i === 5 ? 1 : 0))
    const first = await search(word)
    const ids1 = postIds(first.html)
    expect(ids1).toHaveLength(25)
    const href = /<a href="(\/search\?q=[^"]+&amp;before=[^"]+)" class="button secondary">More results<\/a>/
      .exec(first.html)![1]!
      .replaceAll('&amp;', '&')
    const cursor = new URL(href, 'http://x').searchParams.get('before')!
    // Opaque: nothing of the score or id shows.
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/)
    expect(cursor).not.toContain(String(ids1.at(-1)))

    const client = new Client()
    const next = await client.get(href, { htmx: true })
    expect(next.status).toBe(200)
    const nextHtml = await next.text()
    expect(nextHtml).not.toContain('<html')
    expect(nextHtml).not.toContain('People')
    const ids2 = postIds(nextHtml)
    expect(ids2).toHaveLength(5)
    expect(new Set([...ids1, ...ids2]).size).toBe(30)
    expect(nextHtml).not.toContain('More results')

    // Without JavaScript the same link gives a whole page.
    const plain = await client.get(href)
    expect(await plain.text()).toContain('<html')
  })

  it('answers 400 to a forged, malformed or borrowed cursor, never 500', async () => {
    const word = uniqueWord()
    const author = await makeUser()
    for (let i = 0; i < 26; i++) await createPost(db, author, `${word} again ${i}`, null, 20_000 + i)
    const { html } = await search(word)
    const cursor = decodeURIComponent(/before=([^"&]+)/.exec(html)![1]!)
    const [payload, mac] = cursor.split('.') as [string, string]
    // The payload changed (a better score asked for), the MAC left as it was.
    const forgedPayload = btoa(JSON.stringify({ score: -100, id: 1 }))
      .replaceAll('+', '-')
      .replaceAll('/', '_')
      .replaceAll('=', '')
    const flipped = mac.slice(0, -1) + (mac.endsWith('A') ? 'B' : 'A')
    const bad = [
      `${forgedPayload}.${mac}`,
      `${payload}.${flipped}`,
      'not-a-cursor',
      '1700000000000-12',
      `${payload}.`,
      '.'.repeat(600),
      '%00',
    ]
    const client = new Client()
    for (const before of bad) {
      const response = await client.get(`/search?q=${word}&before=${encodeURIComponent(before)}`)
      expect(response.status, before).toBe(400)
      expect(await response.text()).toContain('That page link is not valid.')
    }
    // A cursor signed for another query is refused too.
    const other = await client.get(`/search?q=${word}x&before=${encodeURIComponent(cursor)}`)
    expect(other.status).toBe(400)
    // The genuine one works.
    expect((await client.get(`/search?q=${word}&before=${encodeURIComponent(cursor)}`)).status).toBe(200)
  })
})

describe('GET /search highlighting', () => {
  it('marks matches with <mark> and escapes every character of the post', async () => {
    const word = uniqueWord()
    await post(`<script>alert(1)</script> <mark>fake</mark> & ${word} "q" 'x' https://example.com/${word}`)
    const { html } = await search(word)
    const [body] = postBodies(html)
    expect(body).toBeDefined()
    expect(body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
    expect(body).toContain('&lt;mark&gt;fake&lt;/mark&gt;')
    expect(body).toContain(`<mark>${word}</mark>`)
    expect(body).not.toContain('<script>')
    // Links stay links, with the match marked inside them.
    expect(body).toContain(`<a href="https://example.com/${word}" rel="nofollow noopener ugc" target="_blank">`)
    expect(body).toContain(`https://example.com/<mark>${word}</mark></a>`)
    expect(body!.match(/<mark>/g)).toHaveLength(2)
  })
})

describe('GET /search input that is not a query', () => {
  const nasty = [
    '"',
    'NEAR(',
    'a*',
    '-x',
    '(',
    ')',
    'AND',
    'OR NOT',
    'col:foo',
    '^',
    '🎉🔥',
    'x'.repeat(200),
    'a\u0000b',
    '\u0000',
    '" OR 1=1 --',
    'body:*',
    '*',
    'NOT',
    "'; DROP TABLE posts; --",
  ]
  it.each(nasty)('answers a normal page for %j', async (q) => {
    const { response, html } = await search(q)
    expect(response.status).toBe(200)
    expect(html).toContain('<h1>')
  })

  it('answers 400 for 1,000 characters, keeping the typed text in the box', async () => {
    const q = 'abc '.repeat(250)
    const { response, html } = await search(q)
    expect(response.status).toBe(400)
    expect(html).toContain('Your search is too long: use at most 200 characters.')
    expect(html).toContain(`value="${q}"`)
    expect(html).toContain('aria-describedby="search-error"')
  })

  it('shows the hint, status 200, for an empty or blank q', async () => {
    for (const path of ['/search', '/search?q=', '/search?q=%20%20%09']) {
      const response = await new Client().get(path)
      expect(response.status).toBe(200)
      expect(await response.text()).toContain('Type a word or two in the search box above')
    }
  })
})

describe('GET /search People', () => {
  it('lists at most 5 members whose username starts with the query, case-insensitively', async () => {
    const stem = `P${uniqueWord().slice(0, 8)}`
    for (let i = 0; i < 7; i++) await makeUser(`${stem}_${i}`)
    await makeUser(`x${stem}`) // contains the query but does not start with it
    const { html } = await search(stem.toUpperCase())
    const people = /<section class="search-people"[\s\S]*?<\/section>/.exec(html)![0]
    expect(people).toContain('People')
    const names = [...people.matchAll(/class="author" href="\/user\/([^"]+)"/g)].map((m) => m[1])
    expect(names).toEqual([0, 1, 2, 3, 4].map((i) => `${stem}_${i}`))
  })

  it('has no People section when nobody matches or the query cannot be a username', async () => {
    expect((await search('zz no such people')).html).not.toContain('search-people')
    expect((await search(uniqueWord())).html).not.toContain('search-people')
  })
})

describe('GET /search under htmx (the nav box)', () => {
  it('answers the main content as a fragment with a title', async () => {
    const word = uniqueWord()
    await post(`htmx ${word}`)
    const { response, html } = await search(word, new Client(), { htmx: true })
    expect(response.status).toBe(200)
    expect(response.headers.get('vary')).toContain('HX-Request')
    expect(html).not.toContain('<html')
    expect(html).toContain(`<title>Search results for “${word}”</title>`)
    expect(postIds(html)).toHaveLength(1)
  })

  it('puts a labelled search box in the navigation of every page', async () => {
    for (const path of ['/explore', '/auth/login', '/search?q=hello']) {
      const html = await (await new Client().get(path)).text()
      expect(html).toMatch(/<form class="nav-search" role="search" method="get" action="\/search">/)
      expect(html).toContain('<label for="nav-search-q" class="sr-only">Search posts and people</label>')
      expect(html).toContain('data-hx-push-url="true"')
    }
    expect(await (await new Client().get('/search?q=hello')).text()).toContain('value="hello"')
  })
})

describe('GET /search rate limit', () => {
  it('refuses a burst from one address with a friendly 429, others unaffected', async () => {
    const client = new Client(`10.9.${Math.floor(Math.random() * 250)}.1`)
    const responses = await Promise.all(Array.from({ length: 40 }, () => client.get('/search?q=burst')))
    const limited = responses.filter((r) => r.status === 429)
    expect(limited.length).toBeGreaterThanOrEqual(10)
    expect(responses.filter((r) => r.status === 200).length).toBeLessThanOrEqual(30)
    expect(limited[0]!.headers.get('retry-after')).toBe('10')
    expect(await limited[0]!.text()).toContain('You are searching very fast.')
    expect((await new Client().get('/search?q=burst')).status).toBe(200)
  })
})
