import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test'
import { Hono } from 'hono'
import { setCookie } from 'hono/cookie'
import { describe, expect, it } from 'vitest'
import { createApp } from '../../src/app'
import type { AppEnv } from '../../src/env'
import { sql } from 'drizzle-orm'
import { createTranslator } from '../../src/lib/i18n'
import { edgeCache, edgeCacheTtl } from '../../src/middleware/edge-cache'
import { Client, env, loggedIn, makeUser, ORIGIN, uniqueName, db } from '../helpers'

type Env = Cloudflare.Env

/** A visitor's browser talking to the app with the edge cache on (`ttl` seconds). */
function visitor(ttl = '60') {
  const app = createApp()
  const client = new Client()
  client.transport = async (request) => {
    const ctx = createExecutionContext()
    const response = await app.fetch(request, { ...env, EDGE_CACHE_TTL: ttl } as Env, ctx)
    // The copy is stored through waitUntil: let it land before the next request.
    await waitOnExecutionContext(ctx)
    return response
  }
  return client
}

/** A post written straight into D1 (the pages read `posts`; no fan-out needed here). */
async function addPost(userId: number, body: string): Promise<number> {
  const row = await db.get<{ id: number }>(
    sql`INSERT INTO posts (user_id, body, created_at) VALUES (${userId}, ${body}, ${Date.now()}) RETURNING id`,
  )
  return row.id
}

async function authorWithPost(body: string) {
  const author = await makeUser()
  await addPost(author.id, body)
  return author
}

describe('edge cache for visitors (caches.default)', () => {
  it('serves the second anonymous GET of a profile from the cache, headers as the route set them', async () => {
    const author = await authorWithPost('first words')
    const client = visitor()
    const first = await client.get(`/user/${author.username}`)
    expect(first.status).toBe(200)
    expect(first.headers.get('X-Cache')).toBe('MISS')
    const firstHtml = await first.text()
    expect(firstHtml).toContain('first words')

    // A new post: the cached copy does not know it yet (no D1 read on a hit).
    await addPost(author.id, 'second words')
    const second = await client.get(`/user/${author.username}`)
    expect(second.status).toBe(200)
    expect(second.headers.get('X-Cache')).toBe('HIT')
    const secondHtml = await second.text()
    expect(secondHtml).toBe(firstHtml)
    expect(secondHtml).not.toContain('second words')
    // What the browser is told is unchanged: the cache's own s-maxage stays inside.
    expect(second.headers.get('Cache-Control')).toBe(first.headers.get('Cache-Control'))
    expect(second.headers.get('Cache-Control')).toBe('public, no-cache')
    expect(second.headers.get('Vary')).toBe(first.headers.get('Vary'))
    expect(second.headers.get('Content-Security-Policy')).toBe(first.headers.get('Content-Security-Policy'))
    expect(second.headers.get('Content-Language')).toBe('en')
    expect(second.headers.get('X-Request-Id')).not.toBe(first.headers.get('X-Request-Id'))
    expect(second.headers.get('X-Edge-Origin-Cache-Control')).toBeNull()
  })

  it('caches explore, post pages and popups too; the popup keeps its public, max-age=30', async () => {
    const author = await makeUser()
    const postId = await addPost(author.id, 'a post page')
    const client = visitor()
    const paths = [`/explore?v=${uniqueName()}`, `/post/${postId}`, `/user/${author.username}/popup`]
    for (const path of paths) {
      expect((await client.get(path)).headers.get('X-Cache')).toBe('MISS')
      const again = await client.get(path)
      expect(again.status, path).toBe(200)
      expect(again.headers.get('X-Cache'), path).toBe('HIT')
    }
    const popup = await client.get(`/user/${author.username}/popup`)
    expect(popup.headers.get('Cache-Control')).toBe('public, max-age=30')
    // Not on the list: the login page is never cached.
    expect((await client.get('/auth/login')).headers.get('X-Cache')).toBeNull()
  })

  it('never serves a member from the cache, and never stores what a member sees', async () => {
    const author = await authorWithPost('hello members')
    const path = `/user/${author.username}`
    const anonymous = visitor()
    expect((await anonymous.get(path)).headers.get('X-Cache')).toBe('MISS')
    expect((await anonymous.get(path)).headers.get('X-Cache')).toBe('HIT')

    const { client: member } = await loggedIn()
    const cached = visitor()
    member.transport = cached.transport
    const page = await member.get(path)
    expect(page.status).toBe(200)
    expect(page.headers.get('X-Cache')).toBe('BYPASS')
    expect(page.headers.get('Cache-Control')).toBe('private, no-store')
    const html = await page.text()
    expect(html).toContain(`action="/follow/${author.username}"`)

    // A member's own first view of another page is not stored for visitors.
    const other = await authorWithPost('member first')
    expect((await member.get(`/user/${other.username}`)).headers.get('X-Cache')).toBe('BYPASS')
    const visitorView = await anonymous.get(`/user/${other.username}`)
    expect(visitorView.headers.get('X-Cache')).toBe('MISS')
    expect(await visitorView.text()).not.toContain('action="/follow/')
  })

  it('bypasses the cache for any cookie but the language: a stale session, a flash, a bookmark', async () => {
    const author = await authorWithPost('cookies')
    const path = `/user/${author.username}`
    const warm = visitor()
    await warm.get(path)
    for (const [name, value] of [
      ['session', 'aaaaaaaaaaaaaaaaaaaaaaaa.bbbbbbbbbbbbbbbbbbbbbbbb'],
      ['flash', 'posts.live'],
      ['d1-bookmark', '00000000-0000000d-00000000-00000000000000000000000000000000'],
    ] as const) {
      const client = visitor()
      client.cookies.set(name, value)
      const response = await client.get(path)
      expect(response.status).toBe(200)
      expect(response.headers.get('X-Cache'), name).toBe('BYPASS')
    }
  })

  it('keeps one entry per negotiated language (Accept-Language or the lang cookie)', async () => {
    const author = await authorWithPost('idiomas')
    const path = `/user/${author.username}`
    const english = visitor()
    const spanish = visitor()
    const spanishHeader = { headers: { 'Accept-Language': 'es-ES,es;q=0.9' } }
    expect((await english.get(path)).headers.get('X-Cache')).toBe('MISS')
    const es = await spanish.get(path, spanishHeader)
    expect(es.headers.get('X-Cache')).toBe('MISS')
    expect(es.headers.get('Content-Language')).toBe('es')
    const esHtml = await es.text()
    expect(esHtml).toContain('<html lang="es"')
    expect(esHtml).toContain(createTranslator('es')('nav.explore'))

    const esAgain = await spanish.get(path, spanishHeader)
    expect(esAgain.headers.get('X-Cache')).toBe('HIT')
    expect(await esAgain.text()).toBe(esHtml)
    // The language cookie negotiates the same language: the same entry.
    const cookieSpanish = visitor()
    cookieSpanish.cookies.set('lang', 'es')
    const viaCookie = await cookieSpanish.get(path)
    expect(viaCookie.headers.get('X-Cache')).toBe('HIT')
    expect(await viaCookie.text()).toContain('<html lang="es"')
    const en = await english.get(path)
    expect(en.headers.get('X-Cache')).toBe('HIT')
    expect(await en.text()).toContain('<html lang="en"')
  })

  it('keys htmx fragment requests apart from full pages', async () => {
    const path = `/explore?v=${uniqueName()}`
    const client = visitor()
    const full = await client.get(path)
    expect(full.headers.get('X-Cache')).toBe('MISS')
    expect(await full.text()).toContain('<html')
    const fragment = await client.get(path, { htmx: true })
    expect(fragment.headers.get('X-Cache')).toBe('MISS')
    expect(await fragment.text()).not.toContain('<html')
    const fragmentAgain = await client.get(path, { htmx: true })
    expect(fragmentAgain.headers.get('X-Cache')).toBe('HIT')
    expect(await fragmentAgain.text()).not.toContain('<html')
    const boosted = await client.get(path, { htmx: true, headers: { 'HX-Boosted': 'true' } })
    expect(boosted.headers.get('X-Cache')).toBe('MISS')
    expect(await boosted.text()).toContain('<html')
    const fullAgain = await client.get(path)
    expect(fullAgain.headers.get('X-Cache')).toBe('HIT')
    expect(await fullAgain.text()).toContain('<html')
  })

  it('lets an entry expire after EDGE_CACHE_TTL seconds', async () => {
    const author = await authorWithPost('fresh for a second')
    const path = `/user/${author.username}`
    const client = visitor('1')
    expect((await client.get(path)).headers.get('X-Cache')).toBe('MISS')
    expect((await client.get(path)).headers.get('X-Cache')).toBe('HIT')
    await addPost(author.id, 'after expiry')
    await new Promise((resolve) => setTimeout(resolve, 1200))
    const later = await client.get(path)
    expect(later.headers.get('X-Cache')).toBe('MISS')
    expect(await later.text()).toContain('after expiry')
  })

  it('is off with EDGE_CACHE_TTL=0 (the rest of the test suite)', async () => {
    const author = await authorWithPost('no cache')
    const client = visitor('0')
    const response = await client.get(`/user/${author.username}`)
    expect(response.status).toBe(200)
    expect(response.headers.get('X-Cache')).toBeNull()
    expect(edgeCacheTtl(undefined)).toBe(15)
    expect(edgeCacheTtl('0')).toBe(0)
    expect(edgeCacheTtl('nonsense')).toBe(0)
  })

  it('stores no 404 and nothing for an unknown post', async () => {
    const client = visitor()
    for (const path of [`/user/${uniqueName('ghost')}`, '/post/999999999']) {
      expect((await client.get(path)).status).toBe(404)
      const again = await client.get(path)
      expect(again.status).toBe(404)
      expect(again.headers.get('X-Cache'), path).toBe('MISS')
    }
  })
})

describe('edgeCache middleware', () => {
  /** A bare app with the middleware and routes that answer in ways that must not be stored. */
  function bareApp() {
    const app = new Hono<AppEnv>()
    app.use(async (c, next) => {
      c.set('lang', 'en')
      c.set('requestId', 'r')
      await next()
    })
    app.use(edgeCache)
    app.get('/explore', (c) => {
      if (c.req.query('cookie')) setCookie(c, 'something', '1')
      if (c.req.query('private')) c.header('Cache-Control', 'private, max-age=5')
      // A page rendered for someone without a cookie (say, a future sign-in by header).
      if (c.req.query('member')) c.set('session', {} as NonNullable<AppEnv['Variables']['session']>)
      return c.html(`<p>${Date.now()}-${Math.random()}</p>`)
    })
    return async (path: string) => {
      const ctx = createExecutionContext()
      const response = await app.fetch(new Request(`${ORIGIN}${path}`), { EDGE_CACHE_TTL: '60' } as Env, ctx)
      await waitOnExecutionContext(ctx)
      return response
    }
  }

  it('never stores an answer with Set-Cookie, a private rule, or rendered for a member', async () => {
    const get = bareApp()
    for (const query of [`cookie=1&v=${uniqueName()}`, `private=1&v=${uniqueName()}`, `member=1&v=${uniqueName()}`]) {
      const first = await get(`/explore?${query}`)
      const second = await get(`/explore?${query}`)
      expect(second.headers.get('X-Cache'), query).toBe('MISS')
      expect(await second.text()).not.toBe(await first.text())
    }
    const plain = `/explore?v=${uniqueName()}`
    await get(plain)
    expect((await get(plain)).headers.get('X-Cache')).toBe('HIT')
  })
})
