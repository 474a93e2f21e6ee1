import { and, eq, gt, sql } from 'drizzle-orm'
import type { Db } from '../db/client'
import { rateLimits } from '../db/schema'

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
  const row = await db.select().from(rateLimits).where(eq(rateLimits.key, key)).get()
  if (!row || row.resetAt <= now || row.count < rule.limit) {
    return { limited: false, retryAfterSeconds: 0 }
  }
  return { limited: true, retryAfterSeconds: Math.max(1, Math.ceil((row.resetAt - now) / 1000)) }
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
  // One statement, so two requests at once each count: the window restarts only when the
  // stored one has passed.
  const passed = sql`${rateLimits.resetAt} <= ${now}`
  const row = await db
    .insert(rateLimits)
    .values({ key, count: 1, resetAt })
    .onConflictDoUpdate({
      target: rateLimits.key,
      set: {
        count: sql`CASE WHEN ${passed} THEN 1 ELSE ${rateLimits.count} + 1 END`,
        resetAt: sql`CASE WHEN ${passed} THEN ${resetAt} ELSE ${rateLimits.resetAt} END`,
      },
    })
    .returning({ count: rateLimits.count, resetAt: rateLimits.resetAt })
    .get()
  return row ?? { count: 1, resetAt }
}

/**
 * Gives back one event counted against `key` (never below zero): for limits that count an
 * attempt before knowing whether it failed, and refund it once it succeeded.
 */
export async function refundRateLimit(db: Db, key: string): Promise<void> {
  await db
    .update(rateLimits)
    .set({ count: sql`${rateLimits.count} - 1` })
    .where(and(eq(rateLimits.key, key), gt(rateLimits.count, 0)))
}

/** Forgets `key`'s counter (a fresh window starts with the next event). */
export async function clearRateLimit(db: Db, key: string): Promise<void> {
  await db.delete(rateLimits).where(eq(rateLimits.key, key))
}
