import { sql } from 'drizzle-orm'
import type { Db } from '../db/client'

export type RateLimitRule = { limit: number; windowMs: number }

export type RateLimitState = { limited: boolean; retryAfterSeconds: number }

/**
 * Limits for credential endpoints. Fixed windows, stored in D1 so they hold across isolates.
 * Login's own limits are in features/auth/login-limits.ts.
 */
export const RATE_LIMITS = {
  registerPerIp: { limit: 10, windowMs: 60 * 60 * 1000 },
} satisfies Record<string, RateLimitRule>

/** Reads a counter without changing it: is `key` over its limit right now? */
export async function checkRateLimit(
  db: Db,
  key: string,
  rule: RateLimitRule,
  now = Date.now(),
): Promise<RateLimitState> {
  const row = await db.get<{ count: number; reset_at: number }>(
    sql`SELECT count, reset_at FROM rate_limits WHERE key = ${key}`,
  )
  if (!row || row.reset_at <= now || row.count < rule.limit) {
    return { limited: false, retryAfterSeconds: 0 }
  }
  return { limited: true, retryAfterSeconds: Math.max(1, Math.ceil((row.reset_at - now) / 1000)) }
}

/** Counts one event against `key` (a new window starts when the old one has passed). */
export async function hitRateLimit(
  db: Db,
  key: string,
  rule: RateLimitRule,
  now = Date.now(),
): Promise<RateLimitState> {
  const window = await countRateLimitEvent(db, key, rule, now)
  if (window.count <= rule.limit) return { limited: false, retryAfterSeconds: 0 }
  return { limited: true, retryAfterSeconds: Math.max(1, Math.ceil((window.resetAt - now) / 1000)) }
}

/**
 * Counts one event and returns the window as it now stands (for `RateLimit-*` headers):
 * events counted so far, including this one, and when the window ends (epoch ms).
 */
export async function countRateLimitEvent(
  db: Db,
  key: string,
  rule: RateLimitRule,
  now = Date.now(),
): Promise<{ count: number; resetAt: number }> {
  const resetAt = now + rule.windowMs
  const row = await db.get<{ count: number; reset_at: number }>(sql`
    INSERT INTO rate_limits (key, count, reset_at) VALUES (${key}, 1, ${resetAt})
    ON CONFLICT (key) DO UPDATE SET
      count = CASE WHEN reset_at <= ${now} THEN 1 ELSE count + 1 END,
      reset_at = CASE WHEN reset_at <= ${now} THEN ${resetAt} ELSE reset_at END
    RETURNING count, reset_at`)
  return row ? { count: row.count, resetAt: row.reset_at } : { count: 1, resetAt }
}

/**
 * Gives back one event counted against `key` (never below zero): for limits that count an
 * attempt before knowing whether it failed, and refund it once it succeeded.
 */
export async function refundRateLimit(db: Db, key: string): Promise<void> {
  await db.run(sql`UPDATE rate_limits SET count = count - 1 WHERE key = ${key} AND count > 0`)
}

/** Forgets `key`'s counter (a fresh window starts with the next event). */
export async function clearRateLimit(db: Db, key: string): Promise<void> {
  await db.run(sql`DELETE FROM rate_limits WHERE key = ${key}`)
}
