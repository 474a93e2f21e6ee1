import type { Context } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import { eq } from 'drizzle-orm'
import type { BatchItem } from 'drizzle-orm/batch'
import { matchedRoutes } from 'hono/route'
import type { MemberRef } from '../db/member'
import { runBatch, type BatchResults, type Statement } from '../db/read'
import { sessions, users } from '../db/schema'
import { factory, type AppEnv } from '../env'
import { isHtmx } from './htmx'
import { referringPath } from '../lib/referring-page'
import { safeNext } from '../lib/safe-next'
import { createTranslator, isLang } from '../lib/i18n'
import { logError } from './log'
import { requestCountry, summarizeUserAgent } from '../lib/user-agent'
import type { Session } from '../db/schema'
import { parseSessionToken, type SessionToken } from '../lib/session-token'
import {
  checkSession,
  createSession,
  refreshSession,
  sessionDuration,
  sessionLookupRead,
  type SessionRow,
} from './session-store'

/** "Last seen" (per member) and a session's "last used" are written at most this often. */
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
  return isSecureUrl(c.req.url)
}

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]'])

/**
 * Whether a request URL gets the https cookie: anything but plain http to the local host.
 * Read from the string (the runtime hands over a normalised absolute URL) rather than
 * with `new URL` on every request — it is asked two or three times per request.
 */
export function isSecureUrl(url: string): boolean {
  if (url.startsWith('https:')) return true
  if (!url.startsWith('http://')) return isSecureParsed(url)
  const end = url.slice(7).search(/[/?#]/)
  const authority = end === -1 ? url.slice(7) : url.slice(7, 7 + end)
  // User info (`user@host`) is rare enough to leave to the URL parser.
  if (authority.includes('@')) return isSecureParsed(url)
  const host = authority.startsWith('[') ? authority.slice(0, authority.indexOf(']') + 1) : authority.split(':')[0]!
  return !LOCAL_HOSTS.has(host.toLowerCase())
}

/** The same rule through the URL parser. */
export function isSecureParsed(url: string): boolean {
  const parsed = new URL(url)
  return parsed.protocol === 'https:' || !LOCAL_HOSTS.has(parsed.hostname)
}

/**
 * Logs a member in on this browser: a new session (noting the browser, system and country
 * it was opened from, for Settings → Sessions) and its cookie. The country comes from
 * Cloudflare's `request.cf` in production only: `wrangler dev` and the tests hand the Worker
 * a placeholder `cf` (always the United States), so locally the place is "unknown".
 */
export async function startSession(c: Context<AppEnv>, userId: number, persistent: boolean): Promise<Session> {
  const country = c.env.ENVIRONMENT === 'production' ? requestCountry(c.req.raw.cf) : null
  const device = { ...summarizeUserAgent(c.req.header('User-Agent')), country }
  const { session, token } = await createSession(c.get('db'), userId, persistent, Date.now(), device)
  setSessionCookie(c, token, persistent)
  return session
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

/**
 * Marks a GET page that reads the session together with its own queries: on such a route
 * `loadSession` only parses the cookie, and the handler calls `withSessionBatch`, which
 * sends the session lookup and the page's reads in one D1 round trip. Until then
 * `c.var.user` is null and `c.var.pendingSession` holds the unchecked token.
 */
export const deferSession = factory.createMiddleware(async (_c, next) => next())

/**
 * Loads the member from the session cookie (one query), or on a `deferSession` route
 * leaves that to the page's batch. The writes a visit causes — "last seen", the sliding
 * expiry, deleting an expired session — run after the answer (`waitUntil`): a read never
 * waits on a write, and a failed write costs a log line, not the page.
 */
export const loadSession = factory.createMiddleware(async (c, next) => {
  c.set('user', null)
  c.set('session', null)
  c.set('pendingSession', null)
  const cookie = getCookie(c, sessionCookieName(c))
  if (cookie !== undefined) {
    const token = parseSessionToken(cookie)
    if (!token) deleteSessionCookie(c)
    else if (matchedRoutes(c).some((route) => route.handler === deferSession)) c.set('pendingSession', token)
    else await withSessionBatch(c, () => [], token)
  }
  await next()
})

/**
 * Runs the pending session lookup and the page's reads in one D1 batch (one round trip)
 * and returns the reads' results in order. `build` gets the member of the session cookie
 * (`{ session }`: in SQL it is NULL unless the cookie names a live session with the right
 * secret, db/member.ts) for reads keyed by the viewer, or null when there is no session
 * cookie at all (then skip them: pass null in their place). Afterwards `c.var.user`,
 * `session`, `lang` and `t` are set as `loadSession` would have set them — read `t` after
 * this call, not before.
 */
export async function withSessionBatch<S extends ReadonlyArray<Statement<unknown> | null>>(
  c: Context<AppEnv>,
  build: (viewer: MemberRef | null) => [...S],
  token: SessionToken | null = c.get('pendingSession'),
): Promise<BatchResults<S>> {
  const db = c.get('db')
  const now = Date.now()
  const reads = build(token ? { session: token, at: now } : null)
  c.set('pendingSession', null)
  const lookup = token ? sessionLookupRead(db, token.id) : null
  const [row, ...pageResults] = await runBatch(db, [lookup, ...reads])
  if (token) applySession(c, token, row ?? undefined, now)
  return pageResults as BatchResults<S>
}

/** Sets the request's member from a looked-up session row and schedules its writes. */
function applySession(c: Context<AppEnv>, token: SessionToken, row: SessionRow | undefined, now: number): void {
  const db = c.get('db')
  const checked = checkSession(row, token, now)
  if (checked === null || checked === 'expired') {
    deleteSessionCookie(c)
    if (checked === 'expired') afterResponse(c, db.delete(sessions).where(eq(sessions.id, token.id)))
    return
  }
  const { user, session } = checked
  c.set('user', user)
  c.set('session', session)
  // A member's saved language beats the cookie and Accept-Language.
  if (isLang(user.language) && user.language !== c.get('lang')) {
    c.set('lang', user.language)
    c.set('t', createTranslator(user.language))
  }
  const writes: BatchItem<'sqlite'>[] = []
  if (checked.refresh) {
    writes.push(refreshSession(db, session, now))
    if (session.persistent) setSessionCookie(c, `${token.id}.${token.secret}`, true)
  }
  if (now - session.lastUsedAt >= LAST_SEEN_INTERVAL) {
    session.lastUsedAt = now
    writes.push(db.update(sessions).set({ lastUsedAt: now }).where(eq(sessions.id, session.id)))
  }
  if (now - user.lastSeenAt >= LAST_SEEN_INTERVAL) {
    user.lastSeenAt = now
    writes.push(db.update(users).set({ lastSeenAt: now }).where(eq(users.id, user.id)))
  }
  const [first, ...rest] = writes
  if (first) afterResponse(c, db.batch([first, ...rest]))
}

/** Lets `work` finish after the answer; a failure is logged and the page is unaffected. */
function afterResponse(c: Context<AppEnv>, work: PromiseLike<unknown>): void {
  const task = Promise.resolve(work).catch((error: unknown) => logError(c, error))
  try {
    c.executionCtx.waitUntil(task)
  } catch {
    // No execution context (app.request in a unit test): the promise still runs.
  }
}

/**
 * Pages that need a member. Anonymous visitors go to the login page with a `next` back
 * here; htmx requests get 401 and `HX-Redirect`, since a redirect would be swapped in.
 * For a form post (e.g. Translate clicked by a visitor) "here" is the page the form was
 * on, so after logging in the reader is back where they were.
 * On a `deferSession` page a cookie still to be checked lets the request through: the
 * handler checks `c.var.user` after its `withSessionBatch` and answers `toLogin(c)`.
 */
export const requireUser = factory.createMiddleware(async (c, next) => {
  if (c.get('user') || c.get('pendingSession')) return next()
  return toLogin(c)
})

/** The answer `requireUser` gives a visitor. */
export function toLogin(c: Context<AppEnv>): Response {
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
}

export type RequireUserEnv = AppEnv & { Variables: { user: NonNullable<AppEnv['Variables']['user']> } }
