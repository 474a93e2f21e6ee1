import { z } from 'zod'
import type { RateLimitRule } from '../../middleware/rate-limit'
import { textFieldSchema } from '../../lib/text'

export const MESSAGE_MAX = 140

/** A private message: the same normalisation and limits as a post (src/lib/text.ts). */
export const messageSchema = z.object({
  body: textFieldSchema(
    { maxGraphemes: MESSAGE_MAX },
    { blank: 'messages.bodyRequired', tooLong: 'messages.bodyTooLong' },
  ),
})

/** Per sender: a burst limit and a daily cap, so an account cannot be used to spam. */
export const MESSAGE_RATE_LIMITS = {
  perMinute: { limit: 20, windowMs: 60 * 1000 },
  perDay: { limit: 200, windowMs: 24 * 60 * 60 * 1000 },
} satisfies Record<string, RateLimitRule>
