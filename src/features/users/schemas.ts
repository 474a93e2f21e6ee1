import { z } from 'zod'
import { textFieldSchema } from '../../lib/text'
import { usernameSchema } from '../auth/schemas'

export const ABOUT_MAX = 140

export const profileSchema = z.object({
  username: usernameSchema,
  // "About me" may be empty, but not blank-looking (only spaces or zero-width characters).
  about_me: textFieldSchema(
    { maxGraphemes: ABOUT_MAX, required: false },
    { blank: 'profile.aboutBlank', tooLong: 'profile.aboutTooLong' },
  ),
})
