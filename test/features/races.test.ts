import { describe, expect, it } from 'vitest'
import { Client, loggedIn, makeUser, uniqueName } from '../helpers'
import { completePasswordReset, createResetToken } from '../../src/features/auth/reset/queries'
import { createUser, getUserById } from '../../src/features/users/queries'
import { verifyPassword } from '../../src/lib/password'
import { db } from '../helpers'
import { uniqueViolation } from '../../src/db/errors'

function register(client: Client, username: string, email: string) {
  return client.post('/auth/register', { username, email, password: 'a fine password', password2: 'a fine password' })
}

describe('uniqueness under concurrent requests', () => {
  it('10 concurrent registrations of one username: one 303, nine 422 "taken", no 500', async () => {
    const username = uniqueName('race')
    const responses = await Promise.all(
      Array.from({ length: 10 }, (_, i) => register(new Client(), username, `${username}${i}@example.com`)),
    )
    const statuses = responses.map((r) => r.status).sort()
    expect(statuses).toEqual([303, ...Array(9).fill(422)])
    for (const response of responses.filter((r) => r.status === 422)) {
      expect(await response.text()).toContain('That username is taken')
    }
  })

  it('10 concurrent registrations of one email: one 303, nine 422 naming the email', async () => {
    const email = `${uniqueName('mail')}@example.com`
    const responses = await Promise.all(
      Array.from({ length: 10 }, () => register(new Client(), uniqueName('m'), email)),
    )
    expect(responses.map((r) => r.status).sort()).toEqual([303, ...Array(9).fill(422)])
    for (const response of responses.filter((r) => r.status === 422)) {
      expect(await response.text()).toContain('That email address already has an account.')
    }
  })

  it('createUser turns a clash that slips past the pre-check into a value naming the right field', async () => {
    // Both inserts pass the pre-check together; the loser's clash comes from the unique index.
    const name = uniqueName('pair')
    const results = await Promise.all([
      createUser(db, { username: name, email: `${name}a@example.com`, passwordHash: 'x' }),
      createUser(db, { username: name.toUpperCase(), email: `${name}b@example.com`, passwordHash: 'x' }),
    ])
    expect(results.filter((r) => r.ok)).toHaveLength(1)
    expect(results.find((r) => !r.ok)).toEqual({ ok: false, taken: 'username' })
  })

  it('10 members renaming themselves to one free name at once: one 303, nine 422 "taken", no 500', async () => {
    const target = uniqueName('wanted')
    const members = await Promise.all(Array.from({ length: 10 }, () => loggedIn()))
    const responses = await Promise.all(
      members.map(({ client }) => client.post('/settings/profile', { username: target, about_me: '' })),
    )
    expect(responses.map((r) => r.status).sort()).toEqual([303, ...Array(9).fill(422)])
    for (const response of responses.filter((r) => r.status === 422)) {
      expect(await response.text()).toContain('That username is taken')
    }
  })
})

describe('uniqueViolation', () => {
  it('names the constraint from the driver error on the cause, not from the query text', () => {
    const wrapped = (cause: string) =>
      new Error('Failed query: insert into "users" ("username", "email") values (?, ?)\nparams: a,b', {
        cause: new Error(cause),
      })
    expect(
      uniqueViolation(
        wrapped("D1_ERROR: UNIQUE constraint failed: index 'users_username_lower_idx': SQLITE_CONSTRAINT"),
      ),
    ).toBe('users_username_lower_idx')
    expect(uniqueViolation(wrapped('D1_ERROR: UNIQUE constraint failed: users.email: SQLITE_CONSTRAINT'))).toBe(
      'users.email',
    )
    expect(uniqueViolation(wrapped('D1_ERROR: NOT NULL constraint failed: users.email'))).toBeNull()
    expect(uniqueViolation(new Error('no such table: users'))).toBeNull()
  })
})

describe('password reset token: single use under concurrent claims', () => {
  it("two claims in the same millisecond: one wins, and the password is the winner's", async () => {
    const user = await makeUser()
    const token = await createResetToken(db, user.id)
    const now = Date.now()
    const results = await Promise.all([
      completePasswordReset(db, { token, userId: user.id, passwordHash: 'hash-of-first' }, now),
      completePasswordReset(db, { token, userId: user.id, passwordHash: 'hash-of-second' }, now),
    ])
    expect(results.filter(Boolean)).toHaveLength(1)
    const winner = results[0] ? 'hash-of-first' : 'hash-of-second'
    expect((await getUserById(db, user.id))!.passwordHash).toBe(winner)
  })

  it('two concurrent form posts of one link: one 303, the other the 410 page', async () => {
    const user = await makeUser()
    const token = await createResetToken(db, user.id)
    const passwords = ['first new passphrase', 'second new passphrase']
    const responses = await Promise.all(
      passwords.map((password) =>
        new Client().post(`/auth/reset-password/${token}`, { password, password2: password }),
      ),
    )
    expect(responses.map((r) => r.status).sort()).toEqual([303, 410])
    const loser = responses.find((r) => r.status === 410)!
    expect(await loser.text()).toContain('This link cannot be used')
    const winner = passwords[responses.findIndex((r) => r.status === 303)]!
    const hash = (await getUserById(db, user.id))!.passwordHash
    expect((await verifyPassword(hash, winner)).ok).toBe(true)
  })
})
