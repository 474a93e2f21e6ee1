import { z } from 'zod'
import { characterCount } from '../../lib/forms'
import type { RateLimitRule } from '../../lib/rate-limit'

export const MESSAGE_MAX = 140

/** A private message: 1–140 characters after trimming, like a post. */
export const messageSchema = z.object({
  body: z
    .string()
    .transform((value) => value.trim())
    .refine((value) => value.length > 0, 'messages.bodyRequired')
    .refine((value) => characterCount(value) <= MESSAGE_MAX, 'messages.bodyTooLong'),
})

/** Per sender: a burst limit and a daily cap, so an account cannot be used to spam. */
export const MESSAGE_RATE_LIMITS = {
  perMinute: { limit: 20, windowMs: 60 * 1000 },
  perDay: { limit: 200, windowMs: 24 * 60 * 60 * 1000 },
} satisfies Record<string, RateLimitRule>
