import type { Context } from 'hono'
import { getCookie, setCookie } from 'hono/cookie'

/**
 * D1 read replication (the Sessions API). A session started at `first-unconstrained` may
 * read from any replica, however far behind; one started at `first-primary` reads the
 * primary; one started at a *bookmark* reads a copy at least as new as that bookmark. A
 * visitor who wrote something carries the bookmark of their last request (a cookie on the
 * site, the `X-D1-Bookmark` header in the API), so their next request — wherever it runs —
 * sees their own writes.
 */

/** The cookie that carries a site visitor's bookmark. */
export const BOOKMARK_COOKIE = 'd1-bookmark'
/** The API's request and response header. */
export const BOOKMARK_HEADER = 'X-D1-Bookmark'
/**
 * Short-lived: replicas catch up in well under a second, and without the cookie a member
 * simply starts at the primary again, which is always up to date.
 */
export const BOOKMARK_COOKIE_SECONDS = 5 * 60

// D1 bookmarks are dash-separated hex groups, e.g.
// `00000000-0000000d-00000000-00000000000000000000000000000000` (59 characters).
const BOOKMARK = /^[0-9a-f]{1,32}(?:-[0-9a-f]{1,32}){1,7}$/i
const BOOKMARK_MAX_LENGTH = 128

/**
 * True when a client-sent value looks like a D1 bookmark. Anything else (garbage, an
 * over-long value) must not reach `withSession`: the caller starts at the primary instead,
 * which is always correct, only slower.
 */
export function isBookmark(value: string | undefined | null): value is string {
  return typeof value === 'string' && value.length <= BOOKMARK_MAX_LENGTH && BOOKMARK.test(value)
}

/**
 * Where a request's session starts, given the bookmark the client sent (if any):
 * a well-formed bookmark → that bookmark; a malformed one → the primary (never an error);
 * none → the primary when the request must see the newest data (a member, a write),
 * otherwise any replica.
 */
export function sessionStart(
  sent: string | undefined | null,
  needsPrimary: boolean,
): D1SessionBookmark | D1SessionConstraint {
  if (sent !== undefined && sent !== null) return isBookmark(sent) ? sent : 'first-primary'
  return needsPrimary ? 'first-primary' : 'first-unconstrained'
}

export function readBookmarkCookie(c: Context): string | undefined {
  return getCookie(c, BOOKMARK_COOKIE)
}

/** httpOnly (scripts have no use for it), Secure over https, Lax, five minutes. */
export function setBookmarkCookie(c: Context, bookmark: string): void {
  setCookie(c, BOOKMARK_COOKIE, bookmark, {
    path: '/',
    httpOnly: true,
    secure: new URL(c.req.url).protocol === 'https:',
    sameSite: 'Lax',
    maxAge: BOOKMARK_COOKIE_SECONDS,
  })
}
