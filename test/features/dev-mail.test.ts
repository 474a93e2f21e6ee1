import { createExecutionContext, createMessageBatch } from 'cloudflare:test'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createApp } from '../../src/app'
import type { Bindings } from '../../src/env'
import worker from '../../src/index'
import { EMAIL_QUEUE_NAME } from '../../src/features/email/consumer'
import type { EmailMessageInput } from '../../src/features/email/send'
import { Client, env, uniqueName } from '../helpers'

type Env = Cloudflare.Env

async function deliverWithLogTransport(body: EmailMessageInput, overrides: Partial<Bindings> = {}) {
  const batch = createMessageBatch(EMAIL_QUEUE_NAME, [
    { id: uniqueName('dev'), timestamp: new Date(), attempts: 1, body },
  ])
  await worker.queue(batch, { ...env, EMAIL_TRANSPORT: 'log', ...overrides } as Env)
}

beforeEach(() => {
  vi.spyOn(console, 'log').mockImplementation(() => {})
})
afterEach(() => {
  vi.restoreAllMocks()
})

describe('GET /dev/mail', () => {
  it('lists the log transport outbox with links and the HTML in a sandboxed frame', async () => {
    const subject = `Outbox ${uniqueName()}`
    await deliverWithLogTransport({
      to: ['someone@example.com'],
      subject,
      text: 'Open http://localhost/auth/reset-password/abc to continue.\n',
      html: '<p>Hello <b>there</b></p><script>alert(1)</script><img src=x onerror=alert(2)>',
      idempotencyKey: uniqueName('key'),
    })
    const response = await new Client().get('/dev/mail')
    expect(response.status).toBe(200)
    expect(response.headers.get('Cache-Control')).toBe('no-store')
    const html = await response.text()
    expect(html).toContain(subject)
    expect(html).toContain('someone@example.com')
    expect(html).toContain('<a href="http://localhost/auth/reset-password/abc" rel="noreferrer">')
    // The email's HTML is not in the page: a sandboxed frame loads it from its own URL.
    const row = await env.DB.prepare('SELECT id FROM dev_outbox WHERE subject = ?')
      .bind(subject)
      .first<{ id: number }>()
    expect(row).not.toBeNull()
    expect(html).toMatch(new RegExp(`<iframe class="dev-mail-html" sandbox="" src="/dev/mail/${row?.id}/html"`))
    expect(html).not.toContain('srcdoc')
    expect(html).not.toContain('width="100%"')
    expect(html).not.toContain('<script>alert(1)</script>')
    expect(html).not.toContain('<img src=x')
  })

  it("serves an email's HTML with its own policy: inline styles apply, nothing runs or loads", async () => {
    const subject = `Styled ${uniqueName()}`
    const emailHtml =
      '<!DOCTYPE html><html lang="en"><head><title>t</title></head><body style="color:#123456">Hi</body></html>'
    await deliverWithLogTransport({
      to: ['styled@example.com'],
      subject,
      text: 'Hi\n',
      html: emailHtml,
      idempotencyKey: uniqueName('key'),
    })
    const row = await env.DB.prepare('SELECT id FROM dev_outbox WHERE subject = ?')
      .bind(subject)
      .first<{ id: number }>()
    const client = new Client()
    const frame = await client.get(`/dev/mail/${row?.id}/html`)
    expect(frame.status).toBe(200)
    expect(await frame.text()).toBe(emailHtml)
    const policy = frame.headers.get('Content-Security-Policy') ?? ''
    expect(policy).toContain("style-src 'unsafe-inline'")
    expect(policy).toContain("default-src 'none'")
    expect(policy).toContain("frame-ancestors 'self'")
    expect(policy.split('; ')).toContain('sandbox')
    expect(policy).not.toContain('script-src')
    expect(frame.headers.get('X-Frame-Options')).toBe('SAMEORIGIN')
    expect(frame.headers.get('Cache-Control')).toBe('no-store')

    // Every other page keeps the site policy.
    const page = await client.get('/dev/mail')
    const sitePolicy = page.headers.get('Content-Security-Policy') ?? ''
    expect(sitePolicy).toContain("style-src 'self'")
    expect(sitePolicy).toContain("frame-ancestors 'none'")

    expect((await client.get('/dev/mail/999999999/html')).status).toBe(404)
    expect((await client.get('/dev/mail/abc/html')).status).toBe(404)
  })

  it('is a 404, and stores nothing, outside development', async () => {
    const app = createApp()
    const production = { ...env, ENVIRONMENT: 'production' } as Env
    const response = await app.request('/dev/mail', {}, production, createExecutionContext())
    expect(response.status).toBe(404)
    expect(await response.text()).toContain('Page not found')
    const frame = await app.request('/dev/mail/1/html', {}, production, createExecutionContext())
    expect(frame.status).toBe(404)

    const subject = `Production ${uniqueName()}`
    await deliverWithLogTransport(
      { to: ['p@example.com'], subject, text: 't', html: 'h', idempotencyKey: uniqueName('key') },
      { ENVIRONMENT: 'production' },
    )
    const row = await env.DB.prepare('SELECT 1 FROM dev_outbox WHERE subject = ?').bind(subject).first()
    expect(row).toBeNull()
  })

  it('says so when the outbox is empty', async () => {
    await env.DB.prepare('DELETE FROM dev_outbox').run()
    const html = await (await new Client().get('/dev/mail')).text()
    expect(html).toContain('No emails yet.')
  })
})
