import { eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { apiTokens, emailChangeTokens, users } from '../../src/db/schema'
import { createApiToken } from '../../src/features/api/token-queries'
import { createEmailChange } from '../../src/features/account/email-change'
import { Client, PASSWORD, db, makeUser } from '../helpers'
import { openLive } from '../live-socket'
import { waitForMail } from '../mailbox'

const NEW_PASSWORD = 'a whole new passphrase 7'

async function member() {
  const user = await makeUser()
  const client = new Client()
  await client.login(user.username)
  return { user, client }
}

const change = (client: Client, fields: Record<string, string>) => client.post('/settings/password', fields)

describe('GET /settings/account', () => {
  it('shows the address and both forms to the member, and sends visitors to log in', async () => {
    const { user, client } = await member()
    const response = await client.get('/settings/account')
    expect(response.status).toBe(200)
    const html = await response.text()
    expect(html).toContain(user.email)
    expect(html).toContain('action="/settings/email"')
    expect(html).toContain('action="/settings/password"')
    expect(html).toContain('aria-current="page"')
    expect((await new Client().get('/settings/account')).status).toBe(303)
  })
})

describe('POST /settings/password', () => {
  it('changes the password, logs out every other browser and token, keeps this one, and tells the member', async () => {
    const { user, client } = await member()
    const elsewhere = new Client()
    await elsewhere.login(user.username)
    const { token } = await createApiToken(db, user.id, true)
    await createEmailChange(db, user.id, 'pending@example.com')
    const elsewhereLive = await openLive(elsewhere)
    const ownLive = await openLive(client)

    const response = await change(client, {
      current_password: PASSWORD,
      password: NEW_PASSWORD,
      password2: NEW_PASSWORD,
    })
    expect(response.status).toBe(303)
    expect(response.headers.get('location')).toBe('/settings/account')
    expect(await (await client.get('/settings/account')).text()).toContain('Your password has been changed.')

    expect(await elsewhereLive.closedWithin()).toMatchObject({ code: 1008 })
    expect(ownLive.isClosed()).toBe(false)
    expect((await client.get('/')).status).toBe(200)
    expect((await elsewhere.get('/')).status).toBe(303)
    expect(
      await db
        .select()
        .from(apiTokens)
        .where(eq(apiTokens.id, token.split('.')[0]!)),
    ).toHaveLength(0)
    // A pending email change asked for with the old password dies with it.
    expect(await db.select().from(emailChangeTokens).where(eq(emailChangeTokens.userId, user.id))).toHaveLength(0)

    const fresh = new Client()
    expect((await fresh.post('/auth/login', { login: user.username, password: PASSWORD })).status).toBe(422)
    expect((await fresh.post('/auth/login', { login: user.username, password: NEW_PASSWORD })).status).toBe(303)

    const [mail] = await waitForMail(user.email)
    expect(mail!.subject).toBe('Your Microblog password was changed')
    expect(mail!.text).toContain('every other session was logged out')
  })

  it('refuses a wrong current password, keeping everything as it was', async () => {
    const { user, client } = await member()
    const before = (await db.select().from(users).where(eq(users.id, user.id)).get())!.passwordHash
    const response = await change(client, {
      current_password: 'not the password',
      password: NEW_PASSWORD,
      password2: NEW_PASSWORD,
    })
    expect(response.status).toBe(422)
    const html = await response.text()
    expect(html).toContain('That is not your current password.')
    // Passwords are never sent back into the page.
    expect(html).not.toContain(NEW_PASSWORD)
    expect((await db.select().from(users).where(eq(users.id, user.id)).get())!.passwordHash).toBe(before)
  })

  it('applies the registration rules to the new password', async () => {
    const { client } = await member()
    const cases: [Record<string, string>, string][] = [
      [{ current_password: PASSWORD, password: 'short', password2: 'short' }, 'at least 8 characters'],
      [{ current_password: PASSWORD, password: 'password', password2: 'password' }, 'too common'],
      [{ current_password: PASSWORD, password: NEW_PASSWORD, password2: 'something else' }, 'do not match'],
      [{ current_password: '', password: NEW_PASSWORD, password2: NEW_PASSWORD }, 'Enter your current password.'],
    ]
    for (const [fields, text] of cases) {
      const response = await change(client, fields)
      expect(response.status).toBe(422)
      expect(await response.text()).toContain(text)
    }
  })

  it('asks for the current password even right after logging in, and counts wrong ones', async () => {
    const { client } = await member()
    const statuses: number[] = []
    for (let i = 0; i < 11; i++) {
      const response = await change(client, {
        current_password: `guess ${i}`,
        password: NEW_PASSWORD,
        password2: NEW_PASSWORD,
      })
      statuses.push(response.status)
    }
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(422))
    expect(statuses[10]).toBe(429)
  })

  it('is refused cross-site and for visitors', async () => {
    const { client } = await member()
    const fields = { current_password: PASSWORD, password: NEW_PASSWORD, password2: NEW_PASSWORD }
    expect((await client.post('/settings/password', fields, { origin: 'https://evil.example' })).status).toBe(403)
    expect((await new Client().post('/settings/password', fields)).status).toBe(303)
  })
})
