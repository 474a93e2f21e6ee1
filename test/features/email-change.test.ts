import { eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { emailChangeTokens, passwordResetTokens, users } from '../../src/db/schema'
import { EMAIL_CHANGE_LIMIT } from '../../src/features/account/routes'
import { createResetToken } from '../../src/features/auth/reset/queries'
import { hashLinkToken } from '../../src/lib/link-token'
import { Client, PASSWORD, db, makeUser, uniqueName } from '../helpers'
import { linkTo, mailTo, waitForMail } from '../mailbox'

async function member(language?: string) {
  const user = await makeUser()
  if (language) await db.update(users).set({ language }).where(eq(users.id, user.id))
  const client = new Client()
  await client.login(user.username)
  return { user, client }
}

const newAddress = () => `${uniqueName('new')}@example.org`
const emailOf = async (id: number) => (await db.select().from(users).where(eq(users.id, id)).get())!.email

/** Asks for `address` and returns the path of the link that reached it. */
async function requestChange(client: Client, address: string): Promise<string> {
  const response = await client.post('/settings/email', { email: address })
  expect(response.status).toBe(303)
  const [mail] = await waitForMail(address)
  return linkTo(mail!.text, '/auth/confirm-email/').pathname
}

describe('changing the email address', () => {
  it('sends a single-use link to the new address; following it changes the address and tells the old one', async () => {
    const { user, client } = await member()
    const address = newAddress()
    const response = await client.post('/settings/email', { email: `  ${address.toUpperCase()} ` })
    expect(response.status).toBe(303)
    expect(await (await client.get('/settings/account')).text()).toContain('We sent a link to the new address.')
    // Nothing changes until the link is followed.
    expect(await emailOf(user.id)).toBe(user.email)

    const [mail] = await waitForMail(address)
    expect(mail!.subject).toBe('Confirm your new Microblog email address')
    const path = linkTo(mail!.text, '/auth/confirm-email/').pathname
    // Only the hash is stored.
    const token = path.split('/').pop()!
    const [row] = await db.select().from(emailChangeTokens).where(eq(emailChangeTokens.userId, user.id))
    expect(row!.tokenHash).toBe(hashLinkToken(token))
    expect(JSON.stringify(row)).not.toContain(token)

    // Opening the link (a mail scanner may) changes nothing; the button does. No login needed.
    const visitor = new Client()
    const page = await visitor.get(path)
    expect(page.status).toBe(200)
    expect(page.headers.get('cache-control')).toBe('no-store')
    expect(await page.text()).toContain(address)
    expect(await emailOf(user.id)).toBe(user.email)

    const confirmed = await visitor.post(path)
    expect(confirmed.status).toBe(303)
    expect(confirmed.headers.get('location')).toBe('/auth/login')
    expect(await emailOf(user.id)).toBe(address)

    const [notice] = await waitForMail(user.email)
    expect(notice!.subject).toBe('Your Microblog email address was changed')
    expect(notice!.text).toContain(address)
    // The link is spent.
    expect((await visitor.post(path)).status).toBe(410)
    expect((await visitor.get(path)).status).toBe(410)
    // The new address logs in; the old one no longer does.
    expect((await new Client().post('/auth/login', { login: address, password: PASSWORD })).status).toBe(303)
    expect((await new Client().post('/auth/login', { login: user.email, password: PASSWORD })).status).toBe(422)
  })

  it("writes in the member's language", async () => {
    const { client } = await member('es')
    const address = newAddress()
    await requestChange(client, address)
    const [mail] = await mailTo(address)
    expect(mail!.subject).toBe('Confirma tu nueva dirección de correo en Microblog')
  })

  it('lets exactly one of two simultaneous confirmations through', async () => {
    const { user, client } = await member()
    const address = newAddress()
    const path = await requestChange(client, address)
    const [a, b] = await Promise.all([new Client().post(path), new Client().post(path)])
    expect([a.status, b.status].sort()).toEqual([303, 410])
    expect(await emailOf(user.id)).toBe(address)
    // One notice to the old address, not two.
    await waitForMail(user.email)
    await new Promise((resolve) => setTimeout(resolve, 500))
    expect(await mailTo(user.email)).toHaveLength(1)
  })

  it('refuses an expired link, and a link whose address another account took meanwhile', async () => {
    const { user, client } = await member()
    const address = newAddress()
    const path = await requestChange(client, address)
    await db
      .update(emailChangeTokens)
      .set({ expiresAt: Date.now() - 1 })
      .where(eq(emailChangeTokens.userId, user.id))
    expect((await new Client().post(path)).status).toBe(410)

    const taken = newAddress()
    const again = await requestChange(client, taken)
    await makeUser(uniqueName('other'), taken)
    const refused = await new Client().post(again)
    expect(refused.status).toBe(409)
    expect(await refused.text()).toContain('Another account now uses that address')
    expect(await emailOf(user.id)).toBe(user.email)
  })

  it('keeps only the newest request, and ends reset links that went to the old address', async () => {
    const { user, client } = await member()
    const first = await requestChange(client, newAddress())
    const second = newAddress()
    const latest = await requestChange(client, second)
    expect((await new Client().post(first)).status).toBe(410)
    const reset = await createResetToken(db, user.id)
    // Followed in the member's own browser: back to their settings.
    const done = await client.post(latest)
    expect(done.status).toBe(303)
    expect(done.headers.get('location')).toBe('/settings/account')
    expect(await (await client.get('/settings/account')).text()).toContain(second)
    const [row] = await db
      .select()
      .from(passwordResetTokens)
      .where(eq(passwordResetTokens.tokenHash, hashLinkToken(reset)))
    expect(row!.usedAt).not.toBeNull()
  })

  it('refuses a bad, taken or unchanged address with the text kept', async () => {
    const { user, client } = await member()
    const other = await makeUser()
    const cases: [string, string][] = [
      ['not-an-address', 'valid email address'],
      [other.email, 'already has an account'],
      [user.email.toUpperCase(), 'That is already your address.'],
    ]
    for (const [typed, text] of cases) {
      const response = await client.post('/settings/email', { email: typed })
      expect(response.status).toBe(422)
      const html = await response.text()
      expect(html).toContain(text)
      expect(html).toContain(`value="${typed}"`)
    }
    expect(await db.select().from(emailChangeTokens).where(eq(emailChangeTokens.userId, user.id))).toHaveLength(0)
  })

  it('sends at most a few links an hour per member', async () => {
    const { client } = await member()
    const statuses: number[] = []
    for (let i = 0; i <= EMAIL_CHANGE_LIMIT.limit; i++) {
      statuses.push((await client.post('/settings/email', { email: newAddress() })).status)
    }
    expect(statuses.slice(0, EMAIL_CHANGE_LIMIT.limit)).toEqual(Array(EMAIL_CHANGE_LIMIT.limit).fill(303))
    expect(statuses.at(-1)).toBe(429)
  })

  it('answers a malformed or unknown link with a clear page, never a 500', async () => {
    for (const token of ['x', 'a'.repeat(32), '%00', 'A'.repeat(300)]) {
      const response = await new Client().get(`/auth/confirm-email/${token}`)
      expect(response.status).toBe(410)
      expect(await response.text()).toContain('The link has expired or has already been used.')
    }
  })
})
