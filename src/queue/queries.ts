import { desc, eq, sql } from 'drizzle-orm'
import type { Db } from '../db/client'
import { devOutbox, emailDeadLetters, sentEmails, type DevOutboxEmail } from '../db/schema'
import type { EmailMessage } from './messages'

/** True when an email with this idempotency key was already accepted by a transport. */
export async function isEmailSent(db: Db, idempotencyKey: string): Promise<boolean> {
  const row = await db
    .select({ key: sentEmails.idempotencyKey })
    .from(sentEmails)
    .where(eq(sentEmails.idempotencyKey, idempotencyKey))
    .get()
  return row !== undefined
}

export async function markEmailSent(db: Db, idempotencyKey: string, now = Date.now()): Promise<void> {
  await db.insert(sentEmails).values({ idempotencyKey, sentAt: now }).onConflictDoNothing()
}

/** Keeps a `log`-transport email for the /dev/mail page. */
export async function storeDevOutboxEmail(db: Db, message: EmailMessage, now = Date.now()): Promise<void> {
  await db.insert(devOutbox).values({
    to: message.to.join(', '),
    subject: message.subject,
    text: message.text,
    html: message.html,
    idempotencyKey: message.idempotencyKey,
    createdAt: now,
  })
}

/** The newest outbox emails (a bounded read: the page shows at most `limit`). */
export async function getDevOutboxEmail(db: Db, id: number): Promise<DevOutboxEmail | undefined> {
  const [email] = await db.select().from(devOutbox).where(eq(devOutbox.id, id)).limit(1)
  return email
}

export async function listDevOutboxEmails(db: Db, limit = 20): Promise<DevOutboxEmail[]> {
  return db.select().from(devOutbox).orderBy(desc(devOutbox.createdAt), desc(devOutbox.id)).limit(limit)
}

export type DeadLetterInput = {
  messageId: string
  queue: string
  reason: 'dead-letter' | 'invalid'
  body: unknown
  attempts: number
  message: EmailMessage | null
}

/**
 * Records an undeliverable message. The whole body is kept so an operator can send it
 * again; a redelivery of the same message id is recorded once.
 */
export async function recordDeadLetter(db: Db, input: DeadLetterInput, now = Date.now()): Promise<void> {
  let body: string
  try {
    body = JSON.stringify(input.body) ?? String(input.body)
  } catch {
    body = String(input.body)
  }
  await db
    .insert(emailDeadLetters)
    .values({
      messageId: input.messageId,
      queue: input.queue,
      reason: input.reason,
      idempotencyKey: input.message?.idempotencyKey ?? null,
      to: input.message ? input.message.to.join(', ') : null,
      subject: input.message?.subject ?? null,
      body,
      attempts: input.attempts,
      createdAt: now,
    })
    .onConflictDoNothing()
}

/**
 * Claims the right to send one alert for `fingerprint`: true at most once per window.
 * One upsert, so two isolates failing at the same moment cannot both win.
 */
export async function claimAlert(db: Db, fingerprint: string, windowMs: number, now = Date.now()): Promise<boolean> {
  // `count` restarts at 1 with each window: the caller whose upsert makes it 1 sends.
  const row = await db.get<{ count: number }>(sql`
    INSERT INTO admin_alerts (fingerprint, last_sent_at, count) VALUES (${fingerprint}, ${now}, 1)
    ON CONFLICT (fingerprint) DO UPDATE SET
      count = CASE WHEN last_sent_at <= ${now - windowMs} THEN 1 ELSE count + 1 END,
      last_sent_at = CASE WHEN last_sent_at <= ${now - windowMs} THEN ${now} ELSE last_sent_at END
    RETURNING count`)
  return row?.count === 1
}
