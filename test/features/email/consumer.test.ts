import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test'
import { afterEach, beforeEach, describe, expect, inject, it, vi } from 'vitest'
import worker from '../../../src/index'
import type { Bindings } from '../../../src/env'
import { EMAIL_DLQ_NAME, EMAIL_QUEUE_NAME, retryDelaySeconds } from '../../../src/features/email/consumer'
import type { EmailMessageInput } from '../../../src/features/email/send'
import { env, uniqueName } from '../../helpers'
import { mailTo, waitForMail } from '../../mailbox'
import wranglerToml from '../../../wrangler.toml?raw'

type Env = Cloudflare.Env

let counter = 0
function messageId(): string {
  counter += 1
  return `test-${Date.now().toString(36)}-${counter}`
}

function address(prefix = 'to'): string {
  return `${uniqueName(prefix).toLowerCase()}@example.com`
}

function email(overrides: Partial<EmailMessageInput> = {}): EmailMessageInput {
  return {
    to: [address()],
    subject: 'Hello from the queue',
    text: 'Plain words.\n',
    html: '<p>Plain words.</p>',
    idempotencyKey: `test:${uniqueName('key')}`,
    ...overrides,
  }
}

/** Runs the worker's real `queue()` handler on a batch and returns what it acked and retried. */
async function runBatch(
  queue: string,
  messages: { body: unknown; attempts?: number; id?: string }[],
  overrides: Partial<Bindings> = {},
) {
  const batch = createMessageBatch(
    queue,
    messages.map((m) => ({ id: m.id ?? messageId(), timestamp: new Date(), attempts: m.attempts ?? 1, body: m.body })),
  )
  // getQueueResult() reports which messages were retried but not the delay asked for, so
  // each message's retry() is watched as well.
  const retries: { msgId: string; delaySeconds: number | undefined }[] = []
  for (const message of batch.messages) {
    const retry = message.retry.bind(message)
    vi.spyOn(message, 'retry').mockImplementation((options?: QueueRetryOptions) => {
      retries.push({ msgId: message.id, delaySeconds: options?.delaySeconds })
      retry(options)
    })
  }
  const ctx = createExecutionContext()
  await worker.queue(batch, { ...env, ...overrides } as Env)
  const result = await getQueueResult(batch, ctx)
  expect(result.retryMessages.map((r) => r.msgId)).toEqual(retries.map((r) => r.msgId))
  return { batch, result: { ...result, retryMessages: retries } }
}

/** The real queue, with every message that goes into it noted. */
function watchedQueue() {
  const sent: unknown[] = []
  const queue = {
    send: (body: unknown, options?: QueueSendOptions) => {
      sent.push(body)
      return env.EMAIL_QUEUE.send(body, options)
    },
    sendBatch: (messages: Iterable<MessageSendRequest>, options?: QueueSendBatchOptions) =>
      env.EMAIL_QUEUE.sendBatch(messages, options),
  } as Queue<unknown>
  return { queue, sent }
}

let logs: string[] = []
beforeEach(() => {
  logs = []
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      logs.push(args.map(String).join(' '))
    })
  }
})
afterEach(() => {
  vi.restoreAllMocks()
})

describe('email queue consumer', () => {
  it('delivers over SMTP and acks the message', async () => {
    const body = email({ subject: 'Delivered über SMTP', text: 'Text part\n', html: '<p>HTML part</p>' })
    const { batch, result } = await runBatch(EMAIL_QUEUE_NAME, [{ body }])
    expect(result.explicitAcks).toEqual([batch.messages[0]!.id])
    expect(result.retryMessages).toEqual([])
    const [mail] = await mailTo(body.to[0]!)
    expect(mail).toBeDefined()
    expect(mail!.subject).toBe('Delivered über SMTP')
    expect(mail!.text.trim()).toBe('Text part')
    expect(mail!.html).toContain('<p>HTML part</p>')
    expect(mail!.from).toBe('no-reply@microblog.test')
    const row = await env.DB.prepare('SELECT * FROM sent_emails WHERE idempotency_key = ?')
      .bind(body.idempotencyKey)
      .first()
    expect(row).not.toBeNull()
    expect(logs.join('\n')).not.toContain(inject('smtpPassword'))
  })

  it('retries with a growing delay when the SMTP server refuses the message', async () => {
    const first = email({ to: [`reject-${address()}`] })
    const third = email({ to: [`reject-${address()}`] })
    const { batch, result } = await runBatch(
      EMAIL_QUEUE_NAME,
      [
        { body: first, attempts: 1 },
        { body: third, attempts: 3 },
      ],
      { EMAIL_RETRY_BASE_SECONDS: '30' },
    )
    expect(result.explicitAcks).toEqual([])
    expect(result.retryMessages).toEqual([
      { msgId: batch.messages[0]!.id, delaySeconds: 30 },
      { msgId: batch.messages[1]!.id, delaySeconds: 120 },
    ])
    // Not marked as sent: the retry will really try again.
    const row = await env.DB.prepare('SELECT 1 FROM sent_emails WHERE idempotency_key = ?')
      .bind(first.idempotencyKey)
      .first()
    expect(row).toBeNull()
    const line = logs.find((l) => l.includes('email.retry'))
    expect(line).toContain('450')
    expect(logs.join('\n')).not.toContain(inject('smtpPassword'))
  })

  it('retries when the SMTP server cannot be reached, and keeps delivering the rest of the batch', async () => {
    const { result } = await runBatch(EMAIL_QUEUE_NAME, [{ body: email(), attempts: 2 }], {
      SMTP_PORT: '1',
      EMAIL_RETRY_BASE_SECONDS: '30',
    })
    expect(result.explicitAcks).toEqual([])
    expect(result.retryMessages).toEqual([expect.objectContaining({ delaySeconds: 60 })])

    // One refused message does not sink the others that share its connection.
    const ok = email()
    const { batch, result: mixed } = await runBatch(EMAIL_QUEUE_NAME, [
      { body: email({ to: [`reject-${address()}`] }) },
      { body: ok },
    ])
    expect(mixed.retryMessages.map((r) => r.msgId)).toEqual([batch.messages[0]!.id])
    expect(mixed.explicitAcks).toEqual([batch.messages[1]!.id])
    expect(await mailTo(ok.to[0]!)).toHaveLength(1)
  })

  it('retries when the transport is misconfigured, naming the variable but not its value', async () => {
    const { result } = await runBatch(EMAIL_QUEUE_NAME, [{ body: email() }], {
      SMTP_PASSWORD: '',
      SMTP_USER: 'someone',
    })
    expect(result.retryMessages).toHaveLength(1)
    const { result: other } = await runBatch(EMAIL_QUEUE_NAME, [{ body: email() }], { EMAIL_TRANSPORT: 'pigeon' })
    expect(other.retryMessages).toHaveLength(1)
    expect(logs.join('\n')).toContain('EMAIL_TRANSPORT must be')
  })

  it('acks a redelivered message that was already sent, without sending it again', async () => {
    const body = email()
    const first = await runBatch(EMAIL_QUEUE_NAME, [{ body }])
    expect(first.result.explicitAcks).toHaveLength(1)
    await waitForMail(body.to[0]!)

    // The same message again (as after a lost ack). Were it sent, the unreachable server
    // would force a retry; instead it is acked as a duplicate.
    const again = await runBatch(EMAIL_QUEUE_NAME, [{ body, attempts: 2 }], { SMTP_PORT: '1' })
    expect(again.result.explicitAcks).toHaveLength(1)
    expect(again.result.retryMessages).toEqual([])
    const third = await runBatch(EMAIL_QUEUE_NAME, [{ body, attempts: 3 }])
    expect(third.result.explicitAcks).toHaveLength(1)
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(await mailTo(body.to[0]!)).toHaveLength(1)
    expect(logs.join('\n')).toContain('email.duplicate')
  })

  it('records an invalid body and acks it instead of retrying forever', async () => {
    const withSecret = { ...email(), smtpPassword: 'hunter2-should-never-ride-along' }
    const headerInjection = email({ subject: 'Hi\r\nBcc: victim@example.com' })
    const { batch, result } = await runBatch(EMAIL_QUEUE_NAME, [
      { body: 'not json at all' },
      { body: withSecret },
      { body: headerInjection },
    ])
    expect(result.explicitAcks.sort()).toEqual(batch.messages.map((m) => m.id).sort())
    expect(result.retryMessages).toEqual([])
    const rows = await env.DB.prepare(`SELECT message_id, reason FROM email_dead_letters WHERE message_id IN (?, ?, ?)`)
      .bind(...batch.messages.map((m) => m.id))
      .all<{ message_id: string; reason: string }>()
    expect(rows.results).toHaveLength(3)
    expect(rows.results.every((r) => r.reason === 'invalid')).toBe(true)
    expect(await mailTo(withSecret.to[0]!)).toEqual([])
  })

  it('writes the log transport as one summary line, without the body', async () => {
    const body = email({ text: 'Your link: http://localhost/auth/reset-password/secretsecretsecretsecret\n' })
    const { result } = await runBatch(EMAIL_QUEUE_NAME, [{ body }], { EMAIL_TRANSPORT: 'log' })
    expect(result.explicitAcks).toHaveLength(1)
    const lines = logs.filter((l) => l.includes('email.logged'))
    expect(lines).toHaveLength(1)
    expect(lines[0]).toContain(body.subject)
    expect(logs.join('\n')).not.toContain('secretsecretsecretsecret')
  })

  it('grows the retry delay with each attempt, up to the 12 hours Queues allow', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => retryDelaySeconds(n))).toEqual([30, 60, 120, 240, 480, 960])
    expect([1, 2, 3].map((n) => retryDelaySeconds(n, 5))).toEqual([5, 10, 20])
    expect(retryDelaySeconds(100)).toBe(12 * 60 * 60)
  })

  it('refuses a batch from a queue it does not know (so the platform retries it)', async () => {
    const batch = createMessageBatch('some-other-queue', [
      { id: messageId(), timestamp: new Date(), attempts: 1, body: {} },
    ])
    await expect(worker.queue(batch, env as Env)).rejects.toThrow(/no consumer/)
  })
})

describe('dead-letter queue consumer', () => {
  beforeEach(async () => {
    await env.DB.prepare(`DELETE FROM admin_alerts WHERE fingerprint = 'dead-letter'`).run()
  })

  it('is declared in wrangler.toml behind max_retries, for development and production', () => {
    const consumers = [...wranglerToml.matchAll(/\[\[(env\.production\.)?queues\.consumers\]\]([^[]*)/g)]
    const named = (name: string) => consumers.filter((c) => new RegExp(`^queue = "${name}"$`, 'm').test(c[2]!))
    const main = named(EMAIL_QUEUE_NAME)
    const dead = named(EMAIL_DLQ_NAME)
    expect(main).toHaveLength(2)
    expect(dead).toHaveLength(2)
    for (const c of main) {
      expect(c[2]).toMatch(/max_retries = 5/)
      expect(c[2]).toContain(`dead_letter_queue = "${EMAIL_DLQ_NAME}"`)
    }
  })

  it('records every parked message in D1 and alerts the admins once', async () => {
    const admin = address('ops')
    const parked = [email({ subject: 'Parked one' }), email({ subject: 'Parked two' })]
    const { batch, result } = await runBatch(
      EMAIL_DLQ_NAME,
      parked.map((body) => ({ body })),
      { ADMINS: `${admin}, not-an-address` },
    )
    expect(result.explicitAcks.sort()).toEqual(batch.messages.map((m) => m.id).sort())
    const rows = await env.DB.prepare(
      `SELECT * FROM email_dead_letters WHERE reason = 'dead-letter' AND message_id IN (?, ?) ORDER BY subject`,
    )
      .bind(...batch.messages.map((m) => m.id))
      .all<{ subject: string; to: string; idempotency_key: string; body: string; queue: string }>()
    expect(rows.results.map((r) => r.subject)).toEqual(['Parked one', 'Parked two'])
    expect(rows.results[0]!.queue).toBe(EMAIL_DLQ_NAME)
    // The whole message is kept, so it can be sent again.
    expect(JSON.parse(rows.results[0]!.body)).toMatchObject({ subject: 'Parked one', html: parked[0]!.html })

    const [alert] = await waitForMail(admin)
    expect(alert!.subject).toBe('[Microblog] 2 emails could not be delivered')
    expect(alert!.text).toContain('Parked one')
    expect(alert!.text).toContain(parked[1]!.idempotencyKey)
    expect(alert!.html).toContain('Parked two')

    // A redelivery of the same parked message is recorded once; a second burst within ten
    // minutes raises no second alert.
    const { queue, sent } = watchedQueue()
    await runBatch(EMAIL_DLQ_NAME, [{ body: parked[0], id: batch.messages[0]!.id, attempts: 2 }], {
      ADMINS: admin,
      EMAIL_QUEUE: queue,
    })
    const count = await env.DB.prepare('SELECT count(*) AS n FROM email_dead_letters WHERE message_id = ?')
      .bind(batch.messages[0]!.id)
      .first<{ n: number }>()
    expect(count!.n).toBe(1)
    expect(sent).toEqual([])
  })

  it('records a dead alert without alerting about it (no loop)', async () => {
    const { queue, sent } = watchedQueue()
    const deadAlert = email({ category: 'alert', subject: '[Microblog] Error at GET /' })
    const { batch, result } = await runBatch(EMAIL_DLQ_NAME, [{ body: deadAlert }, { body: { junk: true } }], {
      EMAIL_QUEUE: queue,
    })
    expect(result.explicitAcks).toHaveLength(2)
    const rows = await env.DB.prepare(`SELECT subject FROM email_dead_letters WHERE message_id IN (?, ?)`)
      .bind(...batch.messages.map((m) => m.id))
      .all<{ subject: string | null }>()
    expect(rows.results).toHaveLength(2)
    // The junk body is unknown, so the admins hear about that one — but not about the alert.
    expect(sent).toHaveLength(1)
    expect(JSON.stringify(sent[0])).not.toContain('Error at GET /')
    expect((sent[0] as { category: string }).category).toBe('alert')
  })
})
