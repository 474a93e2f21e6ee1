import { randomBytes, scryptSync } from 'node:crypto'
import { eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { apiTokens, users } from '../../src/db/schema'
import { createApiToken } from '../../src/features/api/token-queries'
import { attemptLogin } from '../../src/features/auth/login-limits'
import { updatePasswordHash } from '../../src/features/users/queries'
import { SCRYPT_PARAMS, verifyPassword } from '../../src/lib/password'
import { ApiClient } from '../api/contract'
import { Client, db, makeUser, PASSWORD } from '../helpers'

/** PASSWORD hashed with weaker parameters than today's (N=2^10): due for an upgrade. */
function weakHash(password = PASSWORD): string {
  const salt = randomBytes(16)
  const key = scryptSync(password, salt, 32, { N: 1024, r: 8, p: 1 })
  return ['scrypt', 1024, 8, 1, salt.toString('base64'), key.toString('base64')].join('$')
}

/** A member whose stored hash is old, with one API token. */
async function memberWithOldHash() {
  const user = await makeUser()
  const old = weakHash()
  await db.update(users).set({ passwordHash: old }).where(eq(users.id, user.id))
  const { token } = await createApiToken(db, user.id, true)
  return { user, old, token }
}

async function storedHash(userId: number): Promise<string> {
  return (await db.select({ h: users.passwordHash }).from(users).where(eq(users.id, userId)).get())!.h
}

async function tokenCount(userId: number): Promise<number> {
  return (await db.select().from(apiTokens).where(eq(apiTokens.userId, userId))).length
}

describe('a login that upgrades an old password hash', () => {
  it('keeps the member’s API tokens (the password did not change)', async () => {
    const { user, old, token } = await memberWithOldHash()
    await new Client().login(user.username)
    const upgraded = await storedHash(user.id)
    expect(upgraded).not.toBe(old)
    expect(upgraded.startsWith(`scrypt$${SCRYPT_PARAMS.N}$`)).toBe(true)
    expect(await tokenCount(user.id)).toBe(1)
    const api = new ApiClient()
    expect((await api.api('GET', '/api/timeline', { token })).status).toBe(200)
  })

  it('through the API’s HTTP Basic too', async () => {
    const { user, old, token } = await memberWithOldHash()
    const api = new ApiClient()
    const second = await api.token(user.username, PASSWORD)
    expect(await storedHash(user.id)).not.toBe(old)
    for (const t of [token, second]) expect((await api.api('GET', '/api/timeline', { token: t })).status).toBe(200)
  })

  it('never writes over a password changed between the check and the upgrade (a reset racing the login)', async () => {
    const { user } = await memberWithOldHash()
    const changed = weakHash('the new password from the reset link')
    const result = await attemptLogin(
      db,
      { login: user.username, password: PASSWORD, ip: '192.0.2.9' },
      async (stored, password) => {
        const check = await verifyPassword(stored, password)
        // The reset lands while this login is between its check and its upgrade.
        await updatePasswordHash(db, user.id, changed)
        return check
      },
    )
    expect(result.ok).toBe(true)
    // The old password's upgraded hash must not bring the old password back.
    expect(await storedHash(user.id)).toBe(changed)
  })

  it('a real password change still revokes every token, whatever path writes it', async () => {
    const { user, token } = await memberWithOldHash()
    await updatePasswordHash(db, user.id, weakHash('another password entirely'))
    expect(await tokenCount(user.id)).toBe(0)
    expect((await new ApiClient().api('GET', '/api/timeline', { token })).status).toBe(401)
  })
})
