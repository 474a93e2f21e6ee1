import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto'

/**
 * Password hashing with scrypt from `node:crypto` (runs in workerd with `nodejs_compat`).
 * PBKDF2 is avoided because production Workers cap it at 100,000 iterations.
 *
 * The stored string records every parameter — `scrypt$N$r$p$salt$hash` (salt and hash
 * base64) — so the cost can be raised later and old hashes upgraded at the next login.
 */
export const SCRYPT_PARAMS = { N: 16384, r: 8, p: 5, keyLength: 32 } as const

type ScryptParams = { N: number; r: number; p: number; keyLength: number }

function derive(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(
      password.normalize('NFKC'),
      salt,
      params.keyLength,
      // maxmem must cover 128 * N * r bytes with room to spare.
      { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r },
      (error, key) => (error ? reject(error) : resolve(key)),
    )
  })
}

/** Hashes a password with the current parameters. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16)
  const key = await derive(password, salt, SCRYPT_PARAMS)
  const { N, r, p } = SCRYPT_PARAMS
  return ['scrypt', N, r, p, salt.toString('base64'), key.toString('base64')].join('$')
}

function parseHash(stored: string): { params: ScryptParams; salt: Buffer; key: Buffer } | null {
  const parts = stored.split('$')
  if (parts.length !== 6 || parts[0] !== 'scrypt') return null
  const [N, r, p] = parts.slice(1, 4).map(Number)
  const salt = Buffer.from(parts[4] ?? '', 'base64')
  const key = Buffer.from(parts[5] ?? '', 'base64')
  if (!N || !r || !p || salt.length === 0 || key.length === 0) return null
  return { params: { N, r, p, keyLength: key.length }, salt, key }
}

/**
 * Verifies a password against a stored hash in constant time. `needsRehash` is true when
 * the hash was made with weaker parameters than today's, so the caller can upgrade it.
 */
export async function verifyPassword(stored: string, password: string): Promise<{ ok: boolean; needsRehash: boolean }> {
  const parsed = parseHash(stored)
  if (!parsed) return { ok: false, needsRehash: false }
  const candidate = await derive(password, parsed.salt, parsed.params)
  // timingSafeEqual: the comparison must not leak how many leading bytes matched.
  const ok = candidate.length === parsed.key.length && timingSafeEqual(candidate, parsed.key)
  const { N, r, p } = parsed.params
  const needsRehash = ok && (N < SCRYPT_PARAMS.N || r < SCRYPT_PARAMS.r || p < SCRYPT_PARAMS.p)
  return { ok, needsRehash }
}

/**
 * A fixed hash of a random password, verified when the user does not exist so that a
 * login for an unknown name costs the same time as one with a wrong password.
 */
export const DUMMY_PASSWORD_HASH =
  'scrypt$16384$8$5$c2FsdHNhbHRzYWx0c2FsdA==$5rQ0m3GvU3yqLZk0c1bS1d3+FQk0m1bR1dCkqkQz3Ok='

/** The ten most common passwords (and a few more), refused at registration. */
export const COMMON_PASSWORDS = new Set([
  '12345678',
  '123456789',
  '1234567890',
  'password',
  'password1',
  'password123',
  'qwertyuiop',
  'qwerty123',
  '11111111',
  '00000000',
  'iloveyou',
  '1q2w3e4r',
  'abc12345',
  'baseball',
  'football',
  'sunshine',
  'princess',
  'welcome1',
  'letmein1',
  'admin123',
])
