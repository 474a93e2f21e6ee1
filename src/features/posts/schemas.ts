import { z } from 'zod'
import { textFieldSchema } from '../../lib/text'

export const POST_MAX = 140

export const postSchema = z.object({
  body: textFieldSchema({ maxGraphemes: POST_MAX }, { blank: 'posts.bodyRequired', tooLong: 'posts.bodyTooLong' }),
})

/** The post form's one-time key (a UUID rendered into the form); optional for old forms. */
export const formKeySchema = z
  .string()
  .regex(/^[A-Za-z0-9-]{16,64}$/)
  .optional()
