import { constantTimeEqual } from '@oslojs/crypto/subtle'
import { decodeHex } from '@oslojs/encoding'
import { and, desc, eq, gt, sql } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { apiTokens, users, type ApiToken, type User } from '../../db/schema'
import { hashSecret, randomString } from '../../lib/session-token'

/**
 * API bearer tokens, the sessions' design (middleware/session-store.ts) without cookies:
 * `<id>.<secret>`, only SHA-256(secret) stored, constant-time comparison. Lifetimes are
 * fixed, not sliding: a script that leaks its token leaks it for an hour, or 30 days when
 * it asked to be remembered.
 */

const HOUR = 60 * 60 * 1000
export const API_TOKEN_MS = HOUR
export const API_TOKEN_REMEMBER_MS = 30 * 24 * HOUR
/** "Last used" is written at most once a minute per token, not on every request. */
const LAST_USED_INTERVAL = 60 * 1000
/** A member keeps at most this many live tokens; the oldest go first. */
export const MAX_TOKENS_PER_USER = 50

const TOKEN_RE = /^([a-z2-7]{24})\.([a-z2-7]{24})$/

export async function createApiToken(
  db: Db,
  userId: number,
  remember: boolean,
  now = Date.now(),
  name = '',
): Promise<{ token: string; row: ApiToken }> {
  const id = randomString()
  const secret = randomString()
  const row: ApiToken = {
    id,
    userId,
    secretHash: hashSecret(secret),
    name,
    createdAt: now,
    lastUsedAt: null,
    expiresAt: now + (remember ? API_TOKEN_REMEMBER_MS : API_TOKEN_MS),
  }
  await db.insert(apiTokens).values(row)
  return { token: `${id}.${secret}`, row }
}

export type ValidatedToken = { token: ApiToken; user: User }

/** The token's row and member, or null when it is malformed, unknown, wrong or expired. */
export async function validateApiToken(db: Db, token: string, now = Date.now()): Promise<ValidatedToken | null> {
  const match = TOKEN_RE.exec(token)
  if (!match) return null
  const [, id, secret] = match as unknown as [string, string, string]
  const row = await db
    .select({ token: apiTokens, user: users })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .where(eq(apiTokens.id, id))
    .get()
  // A deleted account (its removal job may still be running) has no API access.
  if (!row || row.user.deletedAt !== null) return null
  // Constant time: how much of the secret matched must not show in the timing.
  if (!constantTimeEqual(decodeHex(row.token.secretHash), decodeHex(hashSecret(secret)))) return null
  if (now >= row.token.expiresAt) {
    await db.delete(apiTokens).where(eq(apiTokens.id, id))
    return null
  }
  if (row.token.lastUsedAt === null || now - row.token.lastUsedAt >= LAST_USED_INTERVAL) {
    row.token.lastUsedAt = now
    await db.update(apiTokens).set({ lastUsedAt: now }).where(eq(apiTokens.id, id))
  }
  return row
}

export async function revokeApiToken(db: Db, userId: number, id: string): Promise<boolean> {
  const gone = await db
    .delete(apiTokens)
    .where(and(eq(apiTokens.id, id), eq(apiTokens.userId, userId)))
    .returning({ id: apiTokens.id })
  return gone.length > 0
}

/** A member's live tokens, newest first (bounded: at most MAX_TOKENS_PER_USER exist). */
export async function listApiTokens(db: Db, userId: number, now = Date.now()): Promise<ApiToken[]> {
  return db
    .select()
    .from(apiTokens)
    .where(and(eq(apiTokens.userId, userId), gt(apiTokens.expiresAt, now)))
    .orderBy(desc(apiTokens.createdAt))
    .limit(MAX_TOKENS_PER_USER)
}

/** Keeps the newest MAX_TOKENS_PER_USER tokens of a member and drops expired ones. */
export async function pruneApiTokens(db: Db, userId: number, now = Date.now()): Promise<void> {
  // Bounded: one member's tokens, found through api_tokens_user_idx.
  await db.run(sql`DELETE FROM api_tokens WHERE user_id = ${userId} AND (expires_at <= ${now} OR id NOT IN (
    SELECT id FROM api_tokens WHERE user_id = ${userId} ORDER BY created_at DESC LIMIT ${MAX_TOKENS_PER_USER}))`)
}
