import { z } from 'zod'
import { textFieldSchema } from '../../lib/text'
import { emailSchema, passwordSchema } from '../auth/schemas'

/** A token's name: free text on one line, up to 50 characters ("backup script"). */
export const tokenNameSchema = textFieldSchema(
  { maxGraphemes: 50 },
  { blank: 'apiTokens.nameRequired', tooLong: 'apiTokens.nameTooLong' },
).transform((name) => name.replace(/\s+/g, ' '))

export const newTokenSchema = z.object({ name: tokenNameSchema, remember: z.string().optional() })

export const emailChangeSchema = z.object({ email: emailSchema })

/** The new password follows the registration rules; the current one is checked by hash. */
export const passwordChangeSchema = z
  .object({
    current_password: z.string().min(1, 'reauth.passwordRequired').max(128, 'reauth.wrongPassword'),
    password: passwordSchema,
    password2: z.string(),
  })
  .refine((data) => data.password === data.password2, { path: ['password2'], message: 'auth.passwordMismatch' })

/** A session id as the sessions page posts it (the id half of a session token). */
export const sessionIdSchema = z.string().regex(/^[a-z2-7]{24}$/)
