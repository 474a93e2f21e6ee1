import { z } from 'zod'
import { passwordSchema } from './schemas'

export const resetRequestSchema = z.object({
  email: z
    .string()
    .trim()
    .min(1, 'auth.emailRequired')
    .max(254, 'auth.emailInvalid')
    .pipe(z.email('auth.emailInvalid')),
})

/** The new password follows the registration rules. */
export const newPasswordSchema = z
  .object({ password: passwordSchema, password2: z.string() })
  .refine((data) => data.password === data.password2, { path: ['password2'], message: 'auth.passwordMismatch' })
