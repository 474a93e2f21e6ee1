import { createPrimaryDb, type Db } from '../../db/client'
import type { Bindings } from '../../env'
import { safeErrorText } from '../../db/errors'
import { alertAdminsOfDeadLetters, type ParkedEmail } from './admin-alerts'
import { emailMessageSchema, type EmailMessage } from './send'
import { isEmailSent, markEmailSent, recordDeadLetter } from './queries'
import { createTransport, readTransportConfig, type Transport } from './transports'

/** Queue names as declared in wrangler.toml (the same in every environment). */
export const EMAIL_QUEUE_NAME = 'microblog-email'
export const EMAIL_DLQ_NAME = 'microblog-email-dlq'

/**
 * Wait before the next attempt: 30 s, 1 min, 2 min, 4 min, 8 min… (capped at the 12 hours
 * Queues allow). After `max_retries` (wrangler.toml) the platform parks the message in the
 * dead-letter queue, whose consumer records it.
 */
export function retryDelaySeconds(attempts: number, baseSeconds = 30): number {
  const exponent = Math.max(0, Math.min(attempts, 20) - 1)
  return Math.min(baseSeconds * 2 ** exponent, 12 * 60 * 60)
}

/** The first retry's delay: `EMAIL_RETRY_BASE_SECONDS` when set to a sane number, else 30. */
function retryBase(env: Bindings): number {
  const value = Number(env.EMAIL_RETRY_BASE_SECONDS ?? 30)
  return Number.isFinite(value) && value >= 0 && value <= 3600 ? value : 30
}

type LogFields = Record<string, unknown>

function log(level: 'info' | 'warn' | 'error', event: string, fields: LogFields, env: Bindings): void {
  const line = redact(JSON.stringify({ level, event, ...fields }), env)
  if (level === 'error') console.error(line)
  else if (level === 'warn') console.warn(line)
  else console.log(line)
}

/** Defence in depth: an error text that echoes the SMTP password never reaches the log. */
function redact(text: string, env: Bindings): string {
  const secret = env.SMTP_PASSWORD
  return secret && secret.length >= 4 ? text.split(secret).join('[redacted]') : text
}

/** No SQL and no bound parameters: a D1 error is told by its cause (see safeError). */
function errorText(error: unknown): string {
  return safeErrorText(error)
}

/**
 * Delivers each email: `ack()` once the transport accepted it, `retry()` with a growing
 * delay when it failed. An invalid body cannot succeed later, so it is recorded and acked
 * instead of looping. A message whose idempotency key was already sent (a redelivery after
 * a lost ack) is acked without sending.
 */
export async function handleEmailBatch(batch: MessageBatch<unknown>, env: Bindings): Promise<void> {
  const db = createPrimaryDb(env.DB)
  const config = readTransportConfig(env)
  let transport: Transport | null = null
  try {
    for (const message of batch.messages) {
      const parsed = emailMessageSchema.safeParse(message.body)
      if (!parsed.success) {
        await parkInvalid(db, batch.queue, message, env)
        continue
      }
      const email = parsed.data
      const fields = { id: message.id, key: email.idempotencyKey, attempts: message.attempts }
      try {
        if (await isEmailSent(db, email.idempotencyKey)) {
          log('info', 'email.duplicate', fields, env)
          message.ack()
          continue
        }
        if (!config.ok) throw new Error(`email transport misconfigured: ${config.error}`)
        transport ??= createTransport(config.config, db, env)
        await transport.send(email)
      } catch (error) {
        const delaySeconds = retryDelaySeconds(message.attempts, retryBase(env))
        log('warn', 'email.retry', { ...fields, delaySeconds, error: errorText(error) }, env)
        message.retry({ delaySeconds })
        continue
      }
      // The server has it. Record the key before acking so that a redelivery from here on is
      // a no-op; if recording fails, ack anyway — a retry would send the email twice.
      await markEmailSent(db, email.idempotencyKey).catch((error: unknown) =>
        log('error', 'email.mark-sent-failed', { ...fields, error: errorText(error) }, env),
      )
      message.ack()
      log('info', 'email.sent', { ...fields, transport: transport.name, subject: email.subject }, env)
    }
  } finally {
    await transport?.close()
  }
}

async function parkInvalid(db: Db, queue: string, message: Message<unknown>, env: Bindings): Promise<void> {
  try {
    await recordDeadLetter(db, {
      messageId: message.id,
      queue,
      reason: 'invalid',
      body: message.body,
      attempts: message.attempts,
      message: null,
    })
    log('error', 'email.invalid', { id: message.id, attempts: message.attempts }, env)
    message.ack()
  } catch (error) {
    // Could not even record it: try again later rather than lose it.
    log('error', 'email.record-failed', { id: message.id, error: errorText(error) }, env)
    message.retry({ delaySeconds: retryDelaySeconds(message.attempts, retryBase(env)) })
  }
}

/**
 * The dead-letter queue's consumer: every parked message is recorded in D1 (secrets left
 * out, see recordDeadLetter) and the admins get one alert per burst. Dead alerts are
 * recorded but raise no alert of their own, so an alert that keeps dying cannot loop.
 */
export async function handleDeadLetterBatch(batch: MessageBatch<unknown>, env: Bindings): Promise<void> {
  const db = createPrimaryDb(env.DB)
  const parked: ParkedEmail[] = []
  for (const message of batch.messages) {
    const parsed = emailMessageSchema.safeParse(message.body)
    const email: EmailMessage | null = parsed.success ? parsed.data : null
    try {
      await recordDeadLetter(db, {
        messageId: message.id,
        queue: batch.queue,
        reason: 'dead-letter',
        body: message.body,
        attempts: message.attempts,
        message: email,
      })
    } catch (error) {
      log('error', 'email.record-failed', { id: message.id, error: errorText(error) }, env)
      message.retry({ delaySeconds: retryDelaySeconds(message.attempts, retryBase(env)) })
      continue
    }
    log('error', 'email.dead-letter', { id: message.id, key: email?.idempotencyKey ?? null }, env)
    message.ack()
    if (email?.category !== 'alert') parked.push({ messageId: message.id, attempts: message.attempts, message: email })
  }
  try {
    await alertAdminsOfDeadLetters(env, parked)
  } catch (error) {
    // The letters are recorded; a failed alert must not make the platform redeliver them.
    log('error', 'alert.failed', { error: errorText(error) }, env)
  }
}
