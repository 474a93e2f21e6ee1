import { sha256 } from '@oslojs/crypto/sha2'
import { encodeHexLowerCase } from '@oslojs/encoding'
import { afterEach, describe, expect, inject, it, vi } from 'vitest'
import { Client, PASSWORD, env, makeUser, uniqueName } from '../helpers'
import { linkTo, waitForMail } from '../mailbox'

const NEW_PASSWORD = 'a brand new passphrase 42'

/** Every console line the worker (same isolate as the tests) writes while a test runs. */
function captureLogs() {
  const lines: string[] = []
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      lines.push(args.map((a) => (typeof a === 'string' ? a : (JSON.stringify(a) ?? String(a)))).join(' '))
    })
  }
  return lines
}

afterEach(() => {
  vi.restoreAllMocks()
})

function tokenOf(link: URL): string {
  return link.pathname.split('/').pop()!
}

async function requestReset(client: Client, email: string) {
  return client.post('/auth/reset-password', { email })
}

describe('GET /auth/login', () => {
  it('links to the password reset page', async () => {
    const html = await (await new Client().get('/auth/login')).text()
    expect(html).toContain('href="/auth/reset-password"')
    expect(html).toContain('Forgot your password?')
  })
})

describe('password reset through the queue and a real SMTP server', () => {
  it('emails a single-use link that sets the password and logs out every session', async () => {
    const logs = captureLogs()
    const user = await makeUser()
    const oldBrowser = new Client()
    await oldBrowser.login(user.username)
    expect((await oldBrowser.get('/')).status).toBe(200)

    const visitor = new Client()
    const form = await visitor.get('/auth/reset-password')
    expect(form.status).toBe(200)
    expect(await form.text()).toContain('action="/auth/reset-password"')

    // Addresses are matched case-insensitively.
    const answer = await requestReset(visitor, `  ${user.email.toUpperCase()} `)
    expect(answer.status).toBe(200)
    expect(await answer.text()).toContain('If that address has an account, we sent a link')

    const [mail] = await waitForMail(user.email)
    expect(mail!.subject).toBe('Reset your Microblog password')
    expect(mail!.parts).toEqual(expect.arrayContaining(['multipart/alternative', 'text/plain', 'text/html']))
    expect(mail!.text).toContain(`Hi ${user.username},`)
    const link = linkTo(mail!.text, '/auth/reset-password/')
    expect(link.origin).toBe('http://localhost')
    expect(mail!.html).toContain(`href="${link.href}"`)
    const token = tokenOf(link)

    // Only the SHA-256 of the token is stored, with a one-hour expiry.
    const row = await env.DB.prepare('SELECT * FROM password_reset_tokens WHERE user_id = ?').bind(user.id).first<{
      token_hash: string
      expires_at: number
      created_at: number
      used_at: number | null
    }>()
    expect(row!.token_hash).toBe(encodeHexLowerCase(sha256(new TextEncoder().encode(token))))
    expect(JSON.stringify(row)).not.toContain(token)
    expect(row!.expires_at - row!.created_at).toBe(60 * 60 * 1000)

    // The link opens the form; looking at it does not use it up.
    const page = await visitor.get(link.pathname)
    expect(page.status).toBe(200)
    expect(page.headers.get('Cache-Control')).toBe('no-store')
    expect(await page.text()).toContain(`action="${link.pathname}"`)
    expect((await visitor.get(link.pathname)).status).toBe(200)

    // The registration rules apply, and a refused password keeps the link usable.
    const weak = await visitor.post(link.pathname, { password: 'password', password2: 'password' })
    expect(weak.status).toBe(422)
    expect(await weak.text()).toContain('That password is too common')
    const mismatch = await visitor.post(link.pathname, { password: NEW_PASSWORD, password2: 'something else 1' })
    expect(mismatch.status).toBe(422)
    expect(await mismatch.text()).toContain('The passwords do not match.')

    const done = await visitor.post(link.pathname, { password: NEW_PASSWORD, password2: NEW_PASSWORD })
    expect(done.status).toBe(303)
    expect(done.headers.get('Location')).toBe('/auth/login')

    // Every old session is gone.
    const home = await oldBrowser.get('/')
    expect(home.status).toBe(303)
    expect(home.headers.get('Location')).toContain('/auth/login')

    // The old password fails; the new one works.
    const old = await new Client().post('/auth/login', { login: user.username, password: PASSWORD })
    expect(old.status).toBe(422)
    expect(await old.text()).toContain('Invalid username or password')
    await new Client().login(user.username, NEW_PASSWORD)

    // A second use fails with a clear page and a way to ask again.
    const again = await visitor.get(link.pathname)
    expect(again.status).toBe(410)
    const againHtml = await again.text()
    expect(againHtml).toContain('This link cannot be used')
    expect(againHtml).toContain('href="/auth/reset-password"')
    const reuse = await new Client().post(link.pathname, {
      password: 'yet another passphrase',
      password2: 'yet another passphrase',
    })
    expect(reuse.status).toBe(410)
    await new Client().login(user.username, NEW_PASSWORD)

    // The "password changed" notice arrives too.
    const mails = await waitForMail(user.email, 2)
    const notice = mails.find((m) => m.subject === 'Your Microblog password was changed')
    expect(notice).toBeDefined()
    expect(notice!.parts).toEqual(expect.arrayContaining(['text/plain', 'text/html']))
    expect(notice!.text).toContain('every session was logged out')
    expect(notice!.text).toContain('http://localhost/auth/reset-password')
    expect(notice!.html).toContain('href="http://localhost/auth/reset-password"')

    // The consumer's lines were captured, and no secret is in any of them.
    const logText = logs.join('\n')
    expect(logText).toContain('email.sent')
    for (const secret of [PASSWORD, NEW_PASSWORD, token, row!.token_hash, inject('smtpPassword')]) {
      expect(logText).not.toContain(secret)
    }
  })

  it('refuses an expired link and leaves the password alone', async () => {
    const user = await makeUser()
    const visitor = new Client()
    expect((await requestReset(visitor, user.email)).status).toBe(200)
    const [mail] = await waitForMail(user.email)
    const link = linkTo(mail!.text, '/auth/reset-password/')
    await env.DB.prepare('UPDATE password_reset_tokens SET expires_at = ? WHERE user_id = ?')
      .bind(Date.now() - 1, user.id)
      .run()

    const page = await visitor.get(link.pathname)
    expect(page.status).toBe(410)
    expect(await page.text()).toContain('it may have expired')
    const post = await visitor.post(link.pathname, { password: NEW_PASSWORD, password2: NEW_PASSWORD })
    expect(post.status).toBe(410)
    await new Client().login(user.username, PASSWORD)
  })

  it('refuses unknown and malformed tokens with the same page', async () => {
    const client = new Client()
    for (const token of ['a'.repeat(32), 'not-a-token', '%3Cscript%3E']) {
      const response = await client.get(`/auth/reset-password/${token}`)
      expect(response.status).toBe(410)
      expect(await response.text()).toContain('Ask for a new link')
    }
    const post = await client.post(`/auth/reset-password/${'b'.repeat(32)}`, {
      password: NEW_PASSWORD,
      password2: NEW_PASSWORD,
    })
    expect(post.status).toBe(410)
  })
})

describe('POST /auth/reset-password', () => {
  it('answers a known and an unknown address with the same status and page', async () => {
    const user = await makeUser()
    const known = await requestReset(new Client(), user.email)
    const unknown = await requestReset(new Client(), `${uniqueName('nobody')}@example.com`)
    expect(known.status).toBe(200)
    expect(unknown.status).toBe(known.status)
    expect(await unknown.text()).toBe(await known.text())
    // Only the member gets an email.
    await waitForMail(user.email)
  })

  it('keeps the typed address and explains a bad one', async () => {
    const response = await requestReset(new Client(), 'not an email')
    expect(response.status).toBe(422)
    const html = await response.text()
    expect(html).toContain('Please enter a valid email address.')
    expect(html).toContain('value="not an email"')
  })

  it('answers 429 with Retry-After after too many requests for one address', async () => {
    const user = await makeUser()
    for (let i = 0; i < 5; i++) {
      expect((await requestReset(new Client(), user.email)).status).toBe(200)
    }
    const limited = await requestReset(new Client(), user.email)
    expect(limited.status).toBe(429)
    expect(Number(limited.headers.get('Retry-After'))).toBeGreaterThan(0)
    expect(await limited.text()).toContain('Too many reset requests')
    // An unknown address is limited the same way.
    const nobody = `${uniqueName('nobody')}@example.com`
    for (let i = 0; i < 5; i++) await requestReset(new Client(), nobody)
    expect((await requestReset(new Client(), nobody)).status).toBe(429)
  })

  it('answers 429 after too many requests from one IP', async () => {
    const client = new Client()
    for (let i = 0; i < 20; i++) {
      expect((await requestReset(client, `${uniqueName('ip')}@example.com`)).status).toBe(200)
    }
    const limited = await requestReset(client, `${uniqueName('ip')}@example.com`)
    expect(limited.status).toBe(429)
    expect(limited.headers.get('Retry-After')).toBeTruthy()
  })

  it('refuses a cross-site request', async () => {
    const user = await makeUser()
    const response = await new Client().post(
      '/auth/reset-password',
      { email: user.email },
      { origin: 'https://evil.example' },
    )
    expect(response.status).toBe(403)
  })
})
