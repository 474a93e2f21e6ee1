import { describe, expect, it } from 'vitest'
import {
  checkRateLimit,
  clearRateLimit,
  countRateLimitEvent,
  hitRateLimit,
  refundRateLimit,
} from '../../src/middleware/rate-limit'
import { db } from '../helpers'

const rule = { limit: 2, windowMs: 60_000 }
const T = 1_800_000_000_000

describe('rate limits (fixed windows in D1)', () => {
  it('counts events in a window and refuses past the limit, with the time left', async () => {
    const key = `test:${crypto.randomUUID()}`
    expect(await hitRateLimit(db, key, rule, T)).toEqual({ limited: false, retryAfterSeconds: 0 })
    expect(await checkRateLimit(db, key, rule, T + 1)).toEqual({ limited: false, retryAfterSeconds: 0 })
    expect(await hitRateLimit(db, key, rule, T + 1_000)).toEqual({ limited: false, retryAfterSeconds: 0 })
    expect(await checkRateLimit(db, key, rule, T + 1_000)).toEqual({ limited: true, retryAfterSeconds: 59 })
    expect(await hitRateLimit(db, key, rule, T + 30_000)).toEqual({ limited: true, retryAfterSeconds: 30 })
    expect(await countRateLimitEvent(db, key, rule, T + 30_000)).toEqual({ count: 4, resetAt: T + 60_000 })
  })

  it('starts a new window once the old one has passed', async () => {
    const key = `test:${crypto.randomUUID()}`
    for (let i = 0; i < 3; i++) await hitRateLimit(db, key, rule, T)
    expect((await checkRateLimit(db, key, rule, T + 59_999)).limited).toBe(true)
    expect(await checkRateLimit(db, key, rule, T + 60_000)).toEqual({ limited: false, retryAfterSeconds: 0 })
    expect(await countRateLimitEvent(db, key, rule, T + 60_000)).toEqual({ count: 1, resetAt: T + 120_000 })
  })

  it('counts two events at the same moment twice', async () => {
    const key = `test:${crypto.randomUUID()}`
    const counts = await Promise.all([1, 2].map(() => countRateLimitEvent(db, key, rule, T)))
    expect(counts.map((c) => c.count).sort()).toEqual([1, 2])
  })

  it('refunds an event, never below zero, and forgets a key', async () => {
    const key = `test:${crypto.randomUUID()}`
    await hitRateLimit(db, key, rule, T)
    await refundRateLimit(db, key)
    await refundRateLimit(db, key)
    expect(await countRateLimitEvent(db, key, rule, T)).toEqual({ count: 1, resetAt: T + 60_000 })
    await clearRateLimit(db, key)
    expect(await countRateLimitEvent(db, key, rule, T + 1)).toEqual({ count: 1, resetAt: T + 60_001 })
  })
})
