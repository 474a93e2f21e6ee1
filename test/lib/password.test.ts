import { describe, expect, it } from 'vitest'
import { SCRYPT_PARAMS, hashPassword, verifyPassword } from '../../src/lib/password'

describe('password hashing (scrypt, in workerd)', () => {
  it('accepts the right password and refuses a wrong one', async () => {
    const hash = await hashPassword('open sesame 42')
    expect((await verifyPassword(hash, 'open sesame 42')).ok).toBe(true)
    expect((await verifyPassword(hash, 'open sesame 43')).ok).toBe(false)
    expect((await verifyPassword(hash, '')).ok).toBe(false)
  })

  it('stores a salted hash that names its algorithm and parameters, never the password', async () => {
    const a = await hashPassword('open sesame 42')
    const b = await hashPassword('open sesame 42')
    expect(a).not.toContain('open sesame')
    expect(a).not.toBe(b)
    const [algorithm, N, r, p, salt, key] = a.split('$')
    expect(algorithm).toBe('scrypt')
    expect([Number(N), Number(r), Number(p)]).toEqual([SCRYPT_PARAMS.N, SCRYPT_PARAMS.r, SCRYPT_PARAMS.p])
    expect(salt).toMatch(/^[A-Za-z0-9+/]+=*$/)
    expect(key).toMatch(/^[A-Za-z0-9+/]+=*$/)
  })

  it('flags hashes made with weaker parameters for an upgrade', async () => {
    const current = await hashPassword('open sesame 42')
    expect((await verifyPassword(current, 'open sesame 42')).needsRehash).toBe(false)
    // The same password hashed with N=2^10: still valid, but due for a rehash.
    const { scryptSync, randomBytes } = await import('node:crypto')
    const salt = randomBytes(16)
    const weakKey = scryptSync('open sesame 42', salt, 32, { N: 1024, r: 8, p: 1 })
    const weak = ['scrypt', 1024, 8, 1, salt.toString('base64'), weakKey.toString('base64')].join('$')
    expect(await verifyPassword(weak, 'open sesame 42')).toEqual({ ok: true, needsRehash: true })
    expect(await verifyPassword(weak, 'wrong')).toEqual({ ok: false, needsRehash: false })
  })

  it('refuses malformed stored hashes instead of throwing', async () => {
    for (const stored of ['', 'plain', 'scrypt$x$y$z$$', 'bcrypt$1$2$3$abc$def']) {
      expect((await verifyPassword(stored, 'anything')).ok).toBe(false)
    }
  })
})
