import { z } from 'zod'
import { emailSchema, passwordSchema } from '../schemas'

export const resetRequestSchema = z.object({ email: emailSchema })

/** The new password follows the registration rules. */
export const newPasswordSchema = z
  .object({ password: passwordSchema, password2: z.string() })
  .refine((data) => data.password === data.password2, { path: ['password2'], message: 'auth.passwordMismatch' })
