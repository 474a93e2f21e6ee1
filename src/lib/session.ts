import { sha256 } from '@oslojs/crypto/sha2'
import { constantTimeEqual } from '@oslojs/crypto/subtle'
import { encodeBase32LowerCaseNoPadding, encodeHexLowerCase, decodeHex } from '@oslojs/encoding'
import { eq } from 'drizzle-orm'
import type { Db } from '../db/client'
import { sessions, users, type Session, type User } from '../db/schema'

/**
 * Sessions in Lucia's current design (lucia-auth.com, "Basic API").
 *
 * A token is `<id>.<secret>`. The id finds the row; only SHA-256(secret) is stored, so a
 * leaked database does not leak usable tokens. The secret is compared in constant time.
 * Expiry slides: a session used after `REFRESH_INTERVAL` gets its expiry pushed forward.
 */

const DAY = 24 * 60 * 60 * 1000
/** "Remember me": a persistent cookie and a 30-day server expiry. */
export const PERSISTENT_SESSION_MS = 30 * DAY
/** Otherwise: a browser-session cookie and a 1-day server expiry. */
export const BROWSER_SESSION_MS = DAY
/** Write at most one expiry update per hour per session (a write per request costs). */
const REFRESH_INTERVAL = 60 * 60 * 1000

/** 24 random base32 characters (120 bits): the id or the secret of a session or API token. */
export function randomString(): string {
  // 15 random bytes = 120 bits of entropy, 24 base32 characters.
  const bytes = new Uint8Array(15)
  crypto.getRandomValues(bytes)
  return encodeBase32LowerCaseNoPadding(bytes)
}

/** SHA-256 of a token secret, hex: the only form in which secrets are stored. */
export function hashSecret(secret: string): string {
  return encodeHexLowerCase(sha256(new TextEncoder().encode(secret)))
}

export function sessionDuration(persistent: boolean): number {
  return persistent ? PERSISTENT_SESSION_MS : BROWSER_SESSION_MS
}

/** Creates a session row and returns it with the token to put in the cookie. */
export async function createSession(
  db: Db,
  userId: number,
  persistent: boolean,
  now = Date.now(),
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
  }
  await db.insert(sessions).values(session)
  return { session, token: `${id}.${secret}` }
}

export type ValidatedSession = { session: Session; user: User; refreshed: boolean }

/**
 * Checks a token and returns its session and user, or null. Refreshes the expiry when the
 * session has not been verified for an hour (`refreshed` tells the caller to re-send the
 * cookie with the new lifetime).
 */
export async function validateSessionToken(db: Db, token: string, now = Date.now()): Promise<ValidatedSession | null> {
  const parts = token.split('.')
  if (parts.length !== 2) return null
  const [id, secret] = parts as [string, string]
  if (!/^[a-z2-7]{24}$/.test(id) || !/^[a-z2-7]{24}$/.test(secret)) return null

  const row = await db
    .select({ session: sessions, user: users })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(eq(sessions.id, id))
    .get()
  if (!row) return null

  // Constant time: a timing difference must not reveal how much of the secret matched.
  const expected = decodeHex(row.session.secretHash)
  const actual = decodeHex(hashSecret(secret))
  if (!constantTimeEqual(expected, actual)) return null

  if (now >= row.session.expiresAt) {
    await db.delete(sessions).where(eq(sessions.id, id))
    return null
  }

  let refreshed = false
  if (now - row.session.lastVerifiedAt >= REFRESH_INTERVAL) {
    row.session.lastVerifiedAt = now
    row.session.expiresAt = now + sessionDuration(row.session.persistent)
    await db.update(sessions).set({ lastVerifiedAt: now, expiresAt: row.session.expiresAt }).where(eq(sessions.id, id))
    refreshed = true
  }
  return { session: row.session, user: row.user, refreshed }
}

export async function invalidateSession(db: Db, sessionId: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.id, sessionId))
}

/** Logs a user out everywhere (after a password change, for instance). */
export async function invalidateUserSessions(db: Db, userId: number): Promise<void> {
  await db.delete(sessions).where(eq(sessions.userId, userId))
}
