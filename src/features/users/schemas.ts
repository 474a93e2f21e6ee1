import { z } from 'zod'
import { characterCount } from '../../lib/forms'
import { usernameSchema } from '../auth/schemas'

export const ABOUT_MAX = 140

export const profileSchema = z.object({
  username: usernameSchema,
  about_me: z
    .string()
    .default('')
    .transform((value) => value.trim())
    .refine((value) => characterCount(value) <= ABOUT_MAX, 'profile.aboutTooLong'),
})
