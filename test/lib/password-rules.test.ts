import { describe, expect, it } from 'vitest'
import { passwordSchema, registerSchema } from '../../src/features/auth/schemas'
import { validateForm } from '../../src/lib/forms'

function firstError(password: string) {
  const result = passwordSchema.safeParse(password)
  return result.success ? null : result.error.issues[0]!.message
}

describe('password rules', () => {
  it('refuses all-whitespace passwords of any length', () => {
    expect(firstError(' '.repeat(8))).toBe('auth.passwordBlank')
    expect(firstError(' \t\n '.repeat(10))).toBe('auth.passwordBlank')
  })

  it('counts length without the spaces at the ends', () => {
    expect(firstError('   abcdefg   ')).toBe('auth.passwordTooShort')
    expect(firstError('       a')).toBe('auth.passwordTooShort')
    expect(firstError('  abcd efgh  ')).toBeNull()
    expect(firstError('short')).toBe('auth.passwordTooShort')
  })

  it('keeps the common-password list, spaces around it or not', () => {
    expect(firstError('password')).toBe('auth.passwordTooCommon')
    expect(firstError('  Password1  ')).toBe('auth.passwordTooCommon')
    expect(firstError('x'.repeat(129))).toBe('auth.passwordTooLong')
  })

  it('shows the message on the register form', () => {
    const result = validateForm(registerSchema, {
      username: 'someone',
      email: 'someone@example.com',
      password: '          ',
      password2: '          ',
    })
    expect(result).toMatchObject({ ok: false, errors: { password: 'auth.passwordBlank' } })
  })
})
