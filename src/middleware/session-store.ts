import { constantTimeEqual } from '@oslojs/crypto/subtle'
import { decodeHex } from '@oslojs/encoding'
import { eq, getTableColumns, sql } from 'drizzle-orm'
import type { Db } from '../db/client'
import { bind, prepareOnce, runStatement, type Statement } from '../db/read'
import { sessions, users, type Session, type User } from '../db/schema'
import { hashSecret, parseSessionToken, randomString, tokenHash, type SessionToken } from '../lib/session-token'

/**
 * Sessions in Lucia's current design (lucia-auth.com, "Basic API"), stored in D1.
 *
 * A token is `<id>.<secret>` (lib/session-token.ts). The id finds the row; only
 * SHA-256(secret) is stored, so a leaked database does not leak usable tokens. The secret is
 * compared in constant time. Expiry slides: a session used with less than half its lifetime
 * left gets a whole new one.
 */

const DAY = 24 * 60 * 60 * 1000
/** "Remember me": a persistent cookie and a 30-day server expiry. */
export const PERSISTENT_SESSION_MS = 30 * DAY
/** Otherwise: a browser-session cookie and a 1-day server expiry. */
export const BROWSER_SESSION_MS = DAY

export function sessionDuration(persistent: boolean): number {
  return persistent ? PERSISTENT_SESSION_MS : BROWSER_SESSION_MS
}

/** Where a session was opened from, as Settings → Sessions lists it (null: not known). */
export type SessionDevice = { browser: string | null; os: string | null; country: string | null }

const UNKNOWN_DEVICE: SessionDevice = { browser: null, os: null, country: null }

/**
 * Creates a session row and returns it with the token to put in the cookie. A session
 * starts with a login, so it counts as a fresh password entry (`reauthenticatedAt`).
 */
export async function createSession(
  db: Db,
  userId: number,
  persistent: boolean,
  now = Date.now(),
  device: SessionDevice = UNKNOWN_DEVICE,
): Promise<{ session: Session; token: string }> {
  const id = randomString()
  const secret = randomString()
  const session: Session = {
    id,
    userId,
    secretHash: hashSecret(secret),
    persistent,
    createdAt: now,
    lastVerifiedAt: now,
    expiresAt: now + sessionDuration(persistent),
    ...device,
    lastUsedAt: now,
    reauthenticatedAt: now,
  }
  await db.insert(sessions).values(session)
  return { session, token: `${id}.${secret}` }
}

/** A session and its member, as the session lookup returns them. */
export type SessionRow = { session: Session; user: User }

// The session's columns under names that differ from the users table's: inside a batch D1
// returns rows as objects keyed by column name, so a second `id` or `created_at` would
// overwrite the first.
const sessionLookup = prepareOnce((db) =>
  db
    .select({
      session: {
        ...getTableColumns(sessions),
        id: sql<string>`${sessions.id}`.as('session_id'),
        createdAt: sql<number>`${sessions.createdAt}`.as('session_created_at'),
      },
      user: users,
    })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(eq(sessions.id, sql.placeholder('id')))
    .limit(1)
    .prepare(),
)

/** The session row and its member, by session id (a primary-key lookup), for a page's batch. */
export function sessionLookupRead(db: Db, id: string): Statement<SessionRow | undefined> {
  return bind(db, sessionLookup(db), { id }, (rows): SessionRow | undefined => rows[0])
}

export type ValidatedSession = { session: Session; user: User; refresh: boolean }

/**
 * Checks the looked-up row against the token: `null` for no row or a wrong secret,
 * `'expired'` for a session past its expiry (the caller deletes it), else the session and
 * member. `refresh` says the session has less than half its lifetime left: the caller
 * pushes the expiry forward (and re-sends a persistent cookie). Refreshing only then keeps
 * the write rare — about once per half lifetime of an active session, not once an hour.
 */
export function checkSession(
  row: SessionRow | undefined,
  token: SessionToken,
  now: number,
): ValidatedSession | 'expired' | null {
  if (!row) return null
  // Constant time: a timing difference must not reveal how much of the secret matched.
  const expected = decodeHex(row.session.secretHash)
  const actual = decodeHex(tokenHash(token))
  if (!constantTimeEqual(expected, actual)) return null
  if (now >= row.session.expiresAt) return 'expired'
  const lifetime = sessionDuration(row.session.persistent)
  return { session: row.session, user: row.user, refresh: row.session.expiresAt - now < lifetime / 2 }
}

/** Pushes a session's expiry a whole lifetime past `now`; updates `session` in place too. */
export function refreshSession(db: Db, session: Session, now: number) {
  session.lastVerifiedAt = now
  session.expiresAt = now + sessionDuration(session.persistent)
  return db
    .update(sessions)
    .set({ lastVerifiedAt: now, expiresAt: session.expiresAt })
    .where(eq(sessions.id, session.id))
}

/**
 * Looks a token up and checks it (one query, no writes): the session and member, or null
 * for a malformed, unknown, wrong or expired token. Pages use the middleware instead
 * (middleware/session.ts), which also does the refresh and the clean-up.
 */
export async function validateSessionToken(db: Db, token: string, now = Date.now()): Promise<ValidatedSession | null> {
  const parsed = parseSessionToken(token)
  if (!parsed) return null
  const row = await runStatement(sessionLookupRead(db, parsed.id))
  const checked = checkSession(row, parsed, now)
  return checked === 'expired' ? null : checked
}

export async function invalidateSession(db: Db, sessionId: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.id, sessionId))
}

/** Logs a user out everywhere (after a password change, for instance). */
export async function invalidateUserSessions(db: Db, userId: number): Promise<void> {
  await db.delete(sessions).where(eq(sessions.userId, userId))
}
