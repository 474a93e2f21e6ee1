import { z } from 'zod'
import { characterCount } from '../../lib/forms'

export const POST_MAX = 140

export const postSchema = z.object({
  body: z
    .string()
    .transform((value) => value.trim())
    .refine((value) => value.length > 0, 'posts.bodyRequired')
    .refine((value) => characterCount(value) <= POST_MAX, 'posts.bodyTooLong'),
})

/** The post form's one-time key (a UUID rendered into the form); optional for old forms. */
export const formKeySchema = z
  .string()
  .regex(/^[A-Za-z0-9-]{16,64}$/)
  .optional()
