import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createApp } from '../../src/app'
import type { Bindings } from '../../src/env'
import { env, uniqueName } from '../helpers'
import { mailTo, waitForMail } from '../mailbox'

type Env = Cloudflare.Env

/** The real app plus a route that fails the way a bug would. */
function appWithBug() {
  const app = createApp()
  app.get('/boom/:name', (c) => {
    throw new Error(`kaboom ${c.req.query('variant') === 'b' ? 'B' : 'A'}`)
  })
  return app
}

async function hit(app: ReturnType<typeof appWithBug>, path: string, overrides: Partial<Bindings>) {
  const ctx = createExecutionContext()
  const response = await app.request(
    path,
    {
      headers: {
        Cookie: 'session=cookie-value-that-must-not-leak',
        Authorization: 'Bearer header-value-that-must-not-leak',
        'CF-Connecting-IP': '10.9.8.7',
      },
    },
    { ...env, ...overrides } as Env,
    ctx,
  )
  await waitOnExecutionContext(ctx)
  return response
}

let admin: string
beforeEach(() => {
  admin = `${uniqueName('admin').toLowerCase()}@example.com`
  vi.spyOn(console, 'error').mockImplementation(() => {})
})
afterEach(() => {
  vi.restoreAllMocks()
})

describe('admin alerts for unhandled errors', () => {
  it('emails ADMINS once per distinct error per 10 minutes, without request secrets', async () => {
    const app = appWithBug()
    const response = await hit(app, '/boom/x?token=query-value-that-must-not-leak', { ADMINS: admin })
    expect(response.status).toBe(500)
    const page = await response.text()
    const requestId = /Reference: ([\w-]+)/.exec(page)?.[1]
    expect(requestId).toBeTruthy()

    const [alert] = await waitForMail(admin)
    expect(alert!.subject).toBe('[Microblog] Error at GET /boom/x')
    expect(alert!.text).toContain(`Request id: ${requestId}`)
    expect(alert!.text).toContain('Error: kaboom A')
    expect(alert!.html).toContain('kaboom A')
    for (const secret of ['query-value', 'cookie-value', 'header-value', '10.9.8.7']) {
      expect(alert!.text).not.toContain(secret)
      expect(alert!.html).not.toContain(secret)
    }

    // The same error again (even on another path of the same route): no second email.
    expect((await hit(app, '/boom/y', { ADMINS: admin })).status).toBe(500)
    expect((await hit(app, '/boom/x', { ADMINS: admin })).status).toBe(500)
    // A different error does get its own.
    expect((await hit(app, '/boom/x?variant=b', { ADMINS: admin })).status).toBe(500)
    const mails = await waitForMail(admin, 2)
    await new Promise((resolve) => setTimeout(resolve, 1500))
    const all = await mailTo(admin)
    expect(all).toHaveLength(2)
    expect(mails.map((m) => m.text.includes('kaboom B')).filter(Boolean)).toHaveLength(1)
  })

  it('alerts again once the 10 minutes are over', async () => {
    const app = createApp()
    const message = `window test ${uniqueName()}`
    app.get('/window', () => {
      throw new TypeError(message)
    })
    await hit(app, '/window', { ADMINS: admin })
    await waitForMail(admin)
    // Pretend the last alert went out 11 minutes ago.
    await env.DB.prepare(`UPDATE admin_alerts SET last_sent_at = ? WHERE fingerprint LIKE 'error:%'`)
      .bind(Date.now() - 11 * 60 * 1000)
      .run()
    await hit(app, '/window', { ADMINS: admin })
    const mails = await waitForMail(admin, 2)
    expect(mails.every((m) => m.subject === '[Microblog] TypeError at GET /window')).toBe(true)
  })

  it('sends nothing and still answers 500 when ADMINS is empty', async () => {
    const app = appWithBug()
    const response = await hit(app, '/boom/z', { ADMINS: '' })
    expect(response.status).toBe(500)
  })
})
