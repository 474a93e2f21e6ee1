import { describe, expect, it } from 'vitest'
import { attemptLogin } from '../../src/features/auth/login-limits'
import { DUMMY_PASSWORD_HASH, verifyPassword } from '../../src/lib/password'
import { PASSWORD, db, makeUser, uniqueName } from '../helpers'

/** The real verifier, with a record of the hashes it was asked to check. */
function countingVerifier() {
  const hashes: string[] = []
  const verify: typeof verifyPassword = (stored, password) => {
    hashes.push(stored)
    return verifyPassword(stored, password)
  }
  return { verify, hashes }
}

describe('unknown user and wrong password take the same path', () => {
  it('runs exactly one hash for an unknown user (against the dummy), as for a wrong password', async () => {
    const user = await makeUser()
    const unknown = countingVerifier()
    const unknownResult = await attemptLogin(
      db,
      { login: uniqueName('ghost'), password: 'whatever it is', ip: '198.51.100.7' },
      unknown.verify,
    )
    const wrong = countingVerifier()
    const wrongResult = await attemptLogin(
      db,
      { login: user.username, password: 'not the password', ip: '198.51.100.8' },
      wrong.verify,
    )
    expect(unknownResult).toEqual({ ok: false, reason: 'invalid' })
    expect(wrongResult).toEqual({ ok: false, reason: 'invalid' })
    expect(unknown.hashes).toEqual([DUMMY_PASSWORD_HASH])
    expect(wrong.hashes).toEqual([user.passwordHash])
    // Same parameters, so the same cost: the dummy is a real scrypt hash of today's strength.
    expect(DUMMY_PASSWORD_HASH.split('$').slice(0, 4)).toEqual(user.passwordHash.split('$').slice(0, 4))
  })

  it('an unknown email also hashes once; the right password logs in after one hash', async () => {
    const user = await makeUser()
    const unknown = countingVerifier()
    await attemptLogin(
      db,
      { login: `${uniqueName('nobody')}@example.com`, password: 'x', ip: '198.51.100.9' },
      unknown.verify,
    )
    expect(unknown.hashes).toEqual([DUMMY_PASSWORD_HASH])
    const right = countingVerifier()
    const result = await attemptLogin(db, { login: user.email, password: PASSWORD, ip: '198.51.100.10' }, right.verify)
    expect(result).toMatchObject({ ok: true, user: { id: user.id } })
    expect(right.hashes).toEqual([user.passwordHash])
  })
})
