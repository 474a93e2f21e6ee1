import type { Context } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import { eq } from 'drizzle-orm'
import { users } from '../db/schema'
import { factory, type AppEnv } from '../env'
import { isHtmx } from '../lib/htmx'
import { referringPath } from '../lib/referring-page'
import { safeNext } from '../lib/safe-next'
import { createTranslator, isLang } from '../lib/i18n'
import { sessionDuration, validateSessionToken } from '../lib/session'

/** "Last seen" is written at most this often per user, not on every request. */
const LAST_SEEN_INTERVAL = 5 * 60 * 1000

/**
 * Over https the cookie is `__Host-session`: the prefix makes browsers insist on Secure,
 * Path=/ and no Domain, so a sibling subdomain cannot plant one. Plain-http localhost
 * (wrangler dev) gets `session` without Secure, or the browser would drop it.
 */
export function sessionCookieName(c: Context): string {
  return isSecureRequest(c) ? '__Host-session' : 'session'
}

function isSecureRequest(c: Context): boolean {
  const url = new URL(c.req.url)
  if (url.protocol === 'https:') return true
  const local = url.hostname === 'localhost' || url.hostname === '127.0.0.1' || url.hostname === '[::1]'
  return !local
}

/** Sets the session cookie; a persistent one survives the browser closing. */
export function setSessionCookie(c: Context, token: string, persistent: boolean): void {
  setCookie(c, sessionCookieName(c), token, {
    path: '/',
    httpOnly: true,
    secure: isSecureRequest(c),
    sameSite: 'Lax',
    ...(persistent ? { maxAge: Math.floor(sessionDuration(true) / 1000) } : {}),
  })
}

export function deleteSessionCookie(c: Context): void {
  deleteCookie(c, sessionCookieName(c), { path: '/', secure: isSecureRequest(c) })
}

/** Loads the user from the session cookie; keeps "last seen" roughly current. */
export const loadSession = factory.createMiddleware(async (c, next) => {
  c.set('user', null)
  c.set('session', null)
  const token = getCookie(c, sessionCookieName(c))
  if (token) {
    const result = await validateSessionToken(c.var.db, token)
    if (!result) {
      deleteSessionCookie(c)
    } else {
      c.set('user', result.user)
      c.set('session', result.session)
      if (result.refreshed && result.session.persistent) setSessionCookie(c, token, true)
      // A member's saved language beats the cookie and Accept-Language.
      if (isLang(result.user.language) && result.user.language !== c.var.lang) {
        c.set('lang', result.user.language)
        c.set('t', createTranslator(result.user.language))
      }
      const now = Date.now()
      if (now - result.user.lastSeenAt >= LAST_SEEN_INTERVAL) {
        result.user.lastSeenAt = now
        await c.var.db.update(users).set({ lastSeenAt: now }).where(eq(users.id, result.user.id))
      }
    }
  }
  await next()
})

/**
 * Pages that need a member. Anonymous visitors go to the login page with a `next` back
 * here; htmx requests get 401 and `HX-Redirect`, since a redirect would be swapped in.
 * For a form post (e.g. Translate clicked by a visitor) "here" is the page the form was
 * on, so after logging in the reader is back where they were.
 */
export const requireUser = factory.createMiddleware(async (c, next) => {
  if (c.var.user) return next()
  const url = new URL(c.req.url)
  const from = referringPath(c.req.url, {
    hxCurrentUrl: c.req.header('HX-Current-URL'),
    referer: c.req.header('Referer'),
  })
  const back = c.req.method === 'GET' ? url.pathname + url.search : safeNext(from)
  const target = `/auth/login?next=${encodeURIComponent(back)}`
  if (isHtmx(c)) {
    c.header('HX-Redirect', target)
    return c.body(null, 401)
  }
  return c.redirect(target, 303)
})

export type RequireUserEnv = AppEnv & { Variables: { user: NonNullable<AppEnv['Variables']['user']> } }
