import { createExecutionContext, createMessageBatch, waitOnExecutionContext } from 'cloudflare:test'
import worker from '../../../src/index'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createApp } from '../../../src/app'
import { EMAIL_DLQ_NAME } from '../../../src/features/email/consumer'
import type { EmailMessage } from '../../../src/features/email/send'
import { ORIGIN, env, makeUser, uniqueName } from '../../helpers'

type Env = Cloudflare.Env

beforeEach(() => {
  vi.spyOn(console, 'error').mockImplementation(() => {})
  vi.spyOn(console, 'log').mockImplementation(() => {})
})
afterEach(() => vi.restoreAllMocks())

/** Every text value in every table of this test file's D1, as one string per row. */
async function everyRow(): Promise<string[]> {
  const tables = await env.DB.prepare(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name NOT LIKE 'd1_%'",
  ).all<{ name: string }>()
  const rows: string[] = []
  for (const { name } of tables.results) {
    const result = await env.DB.prepare(`SELECT * FROM "${name}"`).all()
    for (const row of result.results) rows.push(`${name}: ${JSON.stringify(row)}`)
  }
  return rows
}

async function parkInDeadLetterQueue(body: unknown) {
  const id = uniqueName('dlq')
  await worker.queue(createMessageBatch(EMAIL_DLQ_NAME, [{ id, timestamp: new Date(), attempts: 1, body }]), {
    ...env,
    ADMINS: '',
  } as Env)
  return id
}

describe('dead letters keep no secrets', () => {
  it('a reset email that ends in the dead-letter queue leaves no usable token anywhere in D1', async () => {
    const user = await makeUser()
    // The email exactly as the reset route queues it.
    const queued: EmailMessage[] = []
    const queue = { send: async (message: EmailMessage) => void queued.push(message), sendBatch: async () => {} }
    const ctx = createExecutionContext()
    const response = await createApp().request(
      `${ORIGIN}/auth/reset-password`,
      {
        method: 'POST',
        body: new URLSearchParams({ email: user.email }),
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: ORIGIN },
      },
      { ...env, EMAIL_QUEUE: queue } as unknown as Env,
      ctx,
    )
    await waitOnExecutionContext(ctx)
    expect(response.status).toBe(200)
    expect(queued).toHaveLength(1)
    const email = queued[0]!
    expect(email.sensitive).toBe(true)
    const token = /\/auth\/reset-password\/([^\s"<]+)/.exec(email.text)![1]!
    expect(token.length).toBeGreaterThan(16)

    const id = await parkInDeadLetterQueue(email)
    const rows = await everyRow()
    const parked = rows.find((row) => row.startsWith('email_dead_letters:') && row.includes(id))
    expect(parked).toBeDefined()
    expect(parked).toContain(email.subject)
    // Sensitive: the text and HTML are not kept at all.
    expect(parked).toContain('[not kept: sensitive]')
    for (const row of rows) expect(row).not.toContain(token)
  })

  it('redacts a reset link in an email not marked sensitive, and in a body that is not an email', async () => {
    const token = `tok${uniqueName()}secret`
    const link = `http://localhost/auth/reset-password/${token}`
    await parkInDeadLetterQueue({
      to: ['x@example.com'],
      subject: 'Hand-made',
      text: `Go to ${link} now`,
      html: `<a href="${link}">reset</a>`,
      idempotencyKey: uniqueName('k'),
    })
    await parkInDeadLetterQueue({ garbage: true, link })
    const rows = (await everyRow()).filter((row) => row.startsWith('email_dead_letters:'))
    expect(rows.filter((row) => row.includes('/auth/reset-password/[redacted]')).length).toBeGreaterThanOrEqual(2)
    for (const row of rows) expect(row).not.toContain(token)
  })
})
