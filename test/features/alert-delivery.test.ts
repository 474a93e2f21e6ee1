import { createExecutionContext, createMessageBatch, waitOnExecutionContext } from 'cloudflare:test'
import worker from '../../src/index'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createApp } from '../../src/app'
import type { Bindings } from '../../src/env'
import { createResetToken } from '../../src/features/auth/reset/queries'
import { MAX_SUBJECT_LENGTH } from '../../src/features/email/admin-alerts'
import { EMAIL_DLQ_NAME } from '../../src/features/email/consumer'
import type { EmailMessage } from '../../src/features/email/send'
import { ORIGIN, db, env, makeUser, uniqueName } from '../helpers'

type Env = Cloudflare.Env

/** A queue that refuses the first `failures` messages, then keeps what it is given. */
function flakyQueue(failures = 0) {
  const sent: EmailMessage[] = []
  let refused = 0
  const queue = {
    send: async (message: EmailMessage) => {
      if (refused < failures) {
        refused += 1
        throw new Error('Queue send failed: queue is overloaded')
      }
      sent.push(message)
    },
    sendBatch: async () => {},
  }
  return { sent, queue: queue as unknown as Queue<unknown>, refusedCount: () => refused }
}

async function request(
  app: ReturnType<typeof createApp>,
  path: string,
  extra: Partial<Bindings>,
  init: RequestInit = {},
) {
  const ctx = createExecutionContext()
  const response = await app.request(`${ORIGIN}${path}`, init, { ...env, ...extra } as Env, ctx)
  await waitOnExecutionContext(ctx)
  return response
}

beforeEach(() => {
  vi.spyOn(console, 'error').mockImplementation(() => {})
  vi.spyOn(console, 'warn').mockImplementation(() => {})
  vi.spyOn(console, 'log').mockImplementation(() => {})
})
afterEach(() => vi.restoreAllMocks())

function appWithBug(message: string) {
  const app = createApp()
  app.get('/boom/*', () => {
    throw new Error(message)
  })
  return app
}

describe('error alerts that are actually sent', () => {
  it('clips the subject of an error on a very long path, and sends it', async () => {
    const { sent, queue } = flakyQueue()
    const app = appWithBug(`long path ${uniqueName()}`)
    const response = await request(app, `/boom/${'a'.repeat(600)}`, { EMAIL_QUEUE: queue })
    expect(response.status).toBe(500)
    expect(sent).toHaveLength(1)
    expect([...sent[0]!.subject].length).toBeLessThanOrEqual(MAX_SUBJECT_LENGTH)
    expect(sent[0]!.subject).toMatch(/^\[Microblog\] Error at GET \/boom\/a+…$/)
  })

  it('keeps the window open when the alert could not be queued', async () => {
    const { sent, queue, refusedCount } = flakyQueue(1)
    const app = appWithBug(`refused once ${uniqueName()}`)
    expect((await request(app, '/boom/x', { EMAIL_QUEUE: queue })).status).toBe(500)
    expect(refusedCount()).toBe(1)
    expect(sent).toHaveLength(0)
    expect((await request(app, '/boom/x', { EMAIL_QUEUE: queue })).status).toBe(500)
    expect(sent).toHaveLength(1)
    // Now the window is taken: the same error again sends nothing.
    expect((await request(app, '/boom/x', { EMAIL_QUEUE: queue })).status).toBe(500)
    expect(sent).toHaveLength(1)
  })
})

describe('dead-letter alerts', () => {
  function letter(subject: string) {
    return {
      id: uniqueName('dl'),
      timestamp: new Date(),
      attempts: 1,
      body: { to: ['someone@example.com'], subject, text: 't', html: 'h', idempotencyKey: uniqueName('k') },
    }
  }

  it('counts bursts that came inside the window in the next alert ("N more since")', async () => {
    const { sent, queue } = flakyQueue()
    const run = (count: number) =>
      worker.queue(
        createMessageBatch(
          EMAIL_DLQ_NAME,
          Array.from({ length: count }, (_, i) => letter(`Burst ${i}`)),
        ),
        { ...env, EMAIL_QUEUE: queue } as Env,
      )
    await run(2)
    expect(sent).toHaveLength(1)
    await new Promise((resolve) => setTimeout(resolve, 5))
    await run(3) // inside the window: recorded, no email
    expect(sent).toHaveLength(1)
    // Ten minutes pass (everything recorded so far moves back in time with the window).
    const shift = 11 * 60 * 1000
    await env.DB.prepare("UPDATE admin_alerts SET last_sent_at = last_sent_at - ? WHERE fingerprint = 'dead-letter'")
      .bind(shift)
      .run()
    await env.DB.prepare('UPDATE email_dead_letters SET created_at = created_at - ?').bind(shift).run()
    await run(1)
    expect(sent).toHaveLength(2)
    expect(sent[1]!.subject).toBe('[Microblog] 1 email could not be delivered')
    expect(sent[1]!.text).toContain('3 more emails were parked since the last alert')
    expect(sent[0]!.text).not.toContain('more emails were parked')
  })
})

describe('the "password changed" notice', () => {
  it('is retried when the queue refuses it', async () => {
    const user = await makeUser()
    const token = await createResetToken(db, user.id)
    const { sent, queue, refusedCount } = flakyQueue(2)
    const response = await request(
      createApp(),
      `/auth/reset-password/${token}`,
      { EMAIL_QUEUE: queue },
      {
        method: 'POST',
        body: new URLSearchParams({ password: 'a new fine password', password2: 'a new fine password' }),
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: ORIGIN },
      },
    )
    expect(response.status).toBe(303)
    expect(refusedCount()).toBe(2)
    expect(sent).toHaveLength(1)
    expect(sent[0]!.to).toEqual([user.email])
  })
})
