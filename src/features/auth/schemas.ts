import { z } from 'zod'
import { COMMON_PASSWORDS } from '../../lib/password'

export const USERNAME_RE = /^[A-Za-z0-9_]{3,32}$/

export const usernameSchema = z
  .string()
  .trim()
  .min(1, 'auth.usernameRequired')
  .regex(USERNAME_RE, 'auth.usernameInvalid')

// The password is kept exactly as typed (spaces included), but spaces at its ends do not count
// towards the minimum length: "       a" is a one-character password.
export const passwordSchema = z
  .string()
  .refine((value) => value === '' || value.trim() !== '', { message: 'auth.passwordBlank', abort: true })
  .refine((value) => value.trim().length >= 8, { message: 'auth.passwordTooShort', abort: true })
  .max(128, 'auth.passwordTooLong')
  .refine((value) => !COMMON_PASSWORDS.has(value.trim().toLowerCase()), 'auth.passwordTooCommon')

export const emailSchema = z
  .string()
  .trim()
  .min(1, 'auth.emailRequired')
  .max(254, 'auth.emailInvalid')
  .pipe(z.email('auth.emailInvalid'))

export const registerSchema = z
  .object({
    username: usernameSchema,
    email: emailSchema,
    password: passwordSchema,
    password2: z.string(),
  })
  .refine((data) => data.password === data.password2, { path: ['password2'], message: 'auth.passwordMismatch' })

export const loginSchema = z.object({
  login: z.string().trim().min(1, 'auth.loginRequired').max(254, 'auth.invalidLogin'),
  password: z.string().min(1, 'auth.passwordRequired').max(128, 'auth.invalidLogin'),
  remember: z.string().optional(),
  next: z.string().optional(),
})
