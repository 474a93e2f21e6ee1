import type { Context, MiddlewareHandler } from 'hono'
import { getCookie } from 'hono/cookie'
import { createDb, d1StatsServerTiming, newD1Stats, type Db } from '../db/client'
import type { Bindings } from '../env'
import { BOOKMARK_HEADER, readBookmarkCookie, sessionStart, setBookmarkCookie } from './d1-bookmark'
import { sessionCookieName } from './session'

type DbEnv = { Bindings: Bindings; Variables: { db: Db; user?: unknown } }

const SAFE_METHODS = ['GET', 'HEAD', 'OPTIONS']

/**
 * Opens the request's D1 session (read replication, see lib/d1-bookmark.ts) and puts a
 * Drizzle client over it on `c.var.db`. `open` chooses where the session starts; `close`
 * hands the session's bookmark back to the client. BENCH_D1_STATS is set only by
 * `npm run bench`: then every answer reports D1's rows read in `Server-Timing`.
 */
function d1Session(
  open: (c: Context<DbEnv>) => D1SessionBookmark | D1SessionConstraint,
  close: (c: Context<DbEnv>, bookmark: string) => void,
): MiddlewareHandler<DbEnv> {
  return async (c, next) => {
    const stats = c.env.BENCH_D1_STATS === '1' ? newD1Stats() : undefined
    const session = c.env.DB.withSession(open(c))
    c.set('db', createDb(session, stats))
    await next()
    const bookmark = session.getBookmark()
    if (bookmark) close(c, bookmark)
    if (stats) c.header('Server-Timing', d1StatsServerTiming(stats), { append: true })
  }
}

/**
 * The site. A write starts at the primary, whatever bookmark it carries: its session cookie
 * (and any password or reset link it brings) is checked there, so a session revoked a
 * moment ago cannot act through a replica that has not heard of it yet — and the write goes
 * to the primary anyway. For a read, the visitor's bookmark cookie (set after a write) wins;
 * a malformed one starts at the primary. Without one, a member (any session cookie) starts
 * at the primary — a member must see what they did in another tab a moment ago — and an
 * anonymous read at any replica. After a write, and whenever a member's bookmark moved on,
 * the cookie is (re)set, so their next request reads from a replica that has their writes.
 */
export const withDb = d1Session(
  (c) => {
    if (!SAFE_METHODS.includes(c.req.method)) return 'first-primary'
    const member = Boolean(getCookie(c, sessionCookieName(c)))
    return sessionStart(readBookmarkCookie(c), member)
  },
  (c, bookmark) => {
    const write = !SAFE_METHODS.includes(c.req.method)
    if ((write || c.get('user')) && bookmark !== readBookmarkCookie(c)) setBookmarkCookie(c, bookmark)
  },
)

/**
 * The REST API sends no cookies: a client passes the bookmark of its last answer in the
 * `X-D1-Bookmark` request header (malformed → the primary). Writes start at the primary
 * whatever the header says (HTTP Basic credentials are checked there), reads at the bookmark
 * or else at any replica; the bearer token itself is always looked up on the primary
 * (features/api/middleware.ts). Every answer carries the session's latest bookmark in
 * `X-D1-Bookmark`.
 */
export const withApiDb = d1Session(
  (c) => (SAFE_METHODS.includes(c.req.method) ? sessionStart(c.req.header(BOOKMARK_HEADER), false) : 'first-primary'),
  (c, bookmark) => c.header(BOOKMARK_HEADER, bookmark),
)
