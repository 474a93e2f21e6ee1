import type { Context } from 'hono'
import { getCookie } from 'hono/cookie'
import { factory, type AppEnv } from '../env'
import { SUPPORTED_LANGUAGES } from '../lib/i18n'
import { LANGUAGE_COOKIE } from './language'

/**
 * The edge cache for visitors' pages. Explore, profiles, post pages and
 * the user popup look the same to every visitor who reads the same language, so a visitor's
 * copy is kept in the data centre's cache (`caches.default`) for a few seconds and served to
 * the next visitor without touching D1.
 *
 * Only requests with no cookie but the language cookie take part: a session, a D1 bookmark,
 * a flash — anything that could make the page personal — bypasses the cache both ways
 * (never served from it, never stored). A copy is stored only when the answer is a 200 with
 * no `Set-Cookie`, rendered for nobody (no member, no flash), and its route did not ask for
 * `private` / `no-store`. Pages carry no CSRF token or CSP nonce (CSRF is checked by Origin,
 * the CSP allows 'self' scripts), so a copy holds nothing tied to one visitor.
 *
 * The key is the URL plus the negotiated language (`__lang`) and, for htmx requests, the
 * kind of htmx request (`__hx`): a fragment and a full page never share an entry. The stored
 * copy says `Cache-Control: public, s-maxage=<ttl>` to the cache; the browser still gets what
 * the route and `cacheControl` say. `X-Cache: HIT | MISS | BYPASS` tells tests and the bench
 * what happened.
 */

/** Seconds a copy stays fresh; `EDGE_CACHE_TTL` overrides it, `0` switches the cache off. */
export const DEFAULT_EDGE_CACHE_TTL = 15

const CACHED_PATHS = [/^\/explore$/, /^\/user\/[^/]+$/, /^\/user\/[^/]+\/popup$/, /^\/post\/[^/]+$/]

// The stored copy keeps the route's own headers under these names (the cache must see ours).
const ORIGIN_CACHE_CONTROL = 'X-Edge-Origin-Cache-Control'
const ORIGIN_VARY = 'X-Edge-Origin-Vary'

export function edgeCacheTtl(value: string | undefined): number {
  if (value === undefined || value.trim() === '') return DEFAULT_EDGE_CACHE_TTL
  const seconds = Number(value)
  return Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds, 3600) : 0
}

/** True when the request carries no cookie but the language one. */
function cookieless(c: Context<AppEnv>): boolean {
  return Object.keys(getCookie(c)).every((name) => name === LANGUAGE_COOKIE)
}

/** The key of a copy: the URL, its language and — for htmx — the kind of htmx request. */
function keyOf(address: string, lang: string, hx: string | null): Request {
  const url = new URL(address)
  url.hash = ''
  url.searchParams.set('__lang', lang)
  if (hx) url.searchParams.set('__hx', hx)
  else url.searchParams.delete('__hx')
  return new Request(url.toString(), { method: 'GET' })
}

function cacheKey(c: Context<AppEnv>): Request {
  const flag = (name: string) => (c.req.header(name) === 'true' ? '1' : '0')
  const hx =
    c.req.header('HX-Request') === 'true' ? `1${flag('HX-Boosted')}${flag('HX-History-Restore-Request')}` : null
  return keyOf(c.req.url, c.get('lang'), hx)
}

/** Every kind of request a page's copies are kept for: a plain one and each htmx kind. */
const HX_KINDS = [null, '100', '110', '101', '111']

/**
 * Drops this data centre's copies of the pages a member who is leaving shows on — their
 * profile, their user popup and the first page of explore — in every language and kind of
 * request, so that the member, logged out and sent to explore, and the visitors of the same
 * data centre do not see them there. The Cache API reaches only the data centre it runs in,
 * and a member's other pages (each post, deeper pages) cannot all be named: elsewhere a copy
 * made before the deletion lives out its TTL (15 seconds by default), which bounds how long
 * a visitor may still see a deleted member. Keying copies by some "deletions so far" counter
 * would make them moot, but reading that counter is the D1 round trip the cache saves.
 */
export async function dropMemberCopies(c: Context<AppEnv>, username: string): Promise<void> {
  if (edgeCacheTtl(c.env.EDGE_CACHE_TTL) === 0 || typeof caches === 'undefined') return
  const origin = new URL(c.req.url).origin
  const name = encodeURIComponent(username)
  const pages = [`${origin}/explore`, `${origin}/user/${name}`, `${origin}/user/${name}/popup`]
  await Promise.all(
    pages.flatMap((page) =>
      SUPPORTED_LANGUAGES.flatMap((lang) => HX_KINDS.map((hx) => caches.default.delete(keyOf(page, lang, hx)))),
    ),
  )
}

/** Whether the answer may be kept for every visitor. */
function storable(c: Context<AppEnv>, response: Response): boolean {
  if (response.status !== 200) return false
  if (c.get('user') || c.get('session') || c.get('flash')) return false
  if (response.headers.has('Set-Cookie')) return false
  const own = response.headers.get('Cache-Control') ?? ''
  return !/\b(private|no-store)\b/i.test(own)
}

/** The copy the cache keeps: fresh for `ttl` seconds there, the route's own rules set aside. */
function copyForCache(response: Response, ttl: number): Response {
  const headers = new Headers(response.headers)
  const own = headers.get('Cache-Control')
  if (own) headers.set(ORIGIN_CACHE_CONTROL, own)
  const vary = headers.get('Vary')
  if (vary) headers.set(ORIGIN_VARY, vary)
  // Cloudflare's cache ignores Vary (but Accept-Encoding); the key already holds what varies.
  headers.delete('Vary')
  headers.delete('X-Request-Id')
  headers.delete('X-Cache')
  headers.set('Cache-Control', `public, s-maxage=${ttl}`)
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers })
}

/** A stored copy turned back into the route's answer. */
function answerFromCache(c: Context<AppEnv>, stored: Response): Response {
  const headers = new Headers(stored.headers)
  for (const name of ['Cache-Control', 'Vary', 'CF-Cache-Status', 'Age', 'Expires']) headers.delete(name)
  const own = stored.headers.get(ORIGIN_CACHE_CONTROL)
  if (own) headers.set('Cache-Control', own)
  const vary = stored.headers.get(ORIGIN_VARY)
  if (vary) headers.set('Vary', vary)
  headers.delete(ORIGIN_CACHE_CONTROL)
  headers.delete(ORIGIN_VARY)
  headers.set('X-Request-Id', c.get('requestId'))
  headers.set('X-Cache', 'HIT')
  return new Response(stored.body, { status: stored.status, statusText: stored.statusText, headers })
}

function executionContext(c: Context<AppEnv>): { waitUntil(promise: Promise<unknown>): void } | null {
  try {
    return c.executionCtx
  } catch {
    return null
  }
}

export const edgeCache = factory.createMiddleware(async (c, next) => {
  const ttl = edgeCacheTtl(c.env.EDGE_CACHE_TTL)
  const path = c.req.path
  if (
    ttl === 0 ||
    c.req.method !== 'GET' ||
    !CACHED_PATHS.some((re) => re.test(path)) ||
    typeof caches === 'undefined'
  ) {
    return next()
  }
  if (!cookieless(c)) {
    await next()
    c.header('X-Cache', 'BYPASS')
    return
  }
  const cache = caches.default
  const key = cacheKey(c)
  const stored = await cache.match(key)
  // The cache drops a copy once its s-maxage has passed.
  if (stored) return answerFromCache(c, stored)
  await next()
  if (storable(c, c.res)) {
    const put = cache.put(key, copyForCache(c.res.clone(), ttl))
    // After the answer when the runtime allows it (a unit test's app.request may give no context).
    const ctx = executionContext(c)
    if (ctx) ctx.waitUntil(put)
    else await put
  }
  c.header('X-Cache', 'MISS')
})
