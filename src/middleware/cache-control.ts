import { factory } from '../env'

/** What a member's pages and fragments (or any answer that sets a cookie) send. */
export const PRIVATE_CACHE_CONTROL = 'private, no-store'

/**
 * What an anonymous page sends when its route did not say: anyone may keep it, but must ask
 * again before reusing it. The one place to change when anonymous pages get an edge cache.
 */
export const ANONYMOUS_CACHE_CONTROL = 'public, no-cache'

/**
 * The caching rule for every answer, in one place. A member's answer is `private,
 * no-store` unless its route chose another `private` rule: it holds their name, their
 * timeline, their follow buttons, and must never be kept by a shared cache or shown from the
 * back/forward cache after logout. So is any answer that sets a cookie (a new session, a flash). Other
 * answers keep the `Cache-Control` their route chose, or get `ANONYMOUS_CACHE_CONTROL`
 * (`no-store` for unsafe methods). `Vary: Cookie` keeps a cache from handing the anonymous
 * copy of a page to a member or the other way round.
 */
export const cacheControl = factory.createMiddleware(async (c, next) => {
  await next()
  // A WebSocket handover carries no page.
  if (c.res.status === 101) return
  // A session cookie a page never checked (it failed first) counts as a member's.
  const member = Boolean(c.get('user') || c.get('session') || c.get('pendingSession'))
  const apply = (headers: Headers) => {
    const own = headers.get('Cache-Control') ?? ''
    if (member || headers.has('Set-Cookie')) {
      // A route may choose its own private rule (a polled fragment revalidated by ETag
      // sends `private, no-cache`); anything a shared cache could keep is replaced.
      const privateRule = /\bprivate\b/i.test(own) && !/\bpublic\b/i.test(own)
      if (!privateRule) headers.set('Cache-Control', PRIVATE_CACHE_CONTROL)
    } else if (!headers.has('Cache-Control')) {
      const safe = c.req.method === 'GET' || c.req.method === 'HEAD'
      headers.set('Cache-Control', safe ? ANONYMOUS_CACHE_CONTROL : 'no-store')
    }
    if (!/\bCookie\b/i.test(headers.get('Vary') ?? '')) headers.append('Vary', 'Cookie')
  }
  try {
    apply(c.res.headers)
  } catch {
    // A response passed through from a fetch has immutable headers: copy it first.
    c.res = new Response(c.res.body, c.res)
    apply(c.res.headers)
  }
})
