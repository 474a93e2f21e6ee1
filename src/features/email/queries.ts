import { desc, eq, sql } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { devOutbox, emailDeadLetters, sentEmails, type DevOutboxEmail } from '../../db/schema'
import type { EmailMessage } from './send'

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

/** A path segment after `/auth/reset-password/` is a live reset token. */
const RESET_LINK = /(\/auth\/reset-password\/)[^\s"'<>\\?#&]+/g

/** Removes secrets that can sit in an email's text: reset-link tokens. */
export function redactSecrets(text: string): string {
  return text.replace(RESET_LINK, '$1[redacted]')
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
 * Records an undeliverable message, for an operator to look into (and resend). Secrets are
 * never kept: an email marked `sensitive` (it carries a reset link) is stored without its
 * text, HTML or attachments — it should be requested again, not resent — and any other
 * body has reset links redacted. A redelivery of the same message id is recorded once.
 */
export async function recordDeadLetter(db: Db, input: DeadLetterInput, now = Date.now()): Promise<void> {
  let body: string
  try {
    const kept = input.message?.sensitive
      ? { ...input.message, text: '[not kept: sensitive]', html: '[not kept: sensitive]', attachments: undefined }
      : input.body
    body = JSON.stringify(kept) ?? String(kept)
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
      subject: input.message ? redactSecrets(input.message.subject) : null,
      body: redactSecrets(body),
      attempts: input.attempts,
      createdAt: now,
    })
    .onConflictDoNothing()
}

export type AlertClaim = { claimed: false } | { claimed: true; previousSentAt: number | null }

/**
 * Claims the right to send one alert for `fingerprint`: claimed at most once per window.
 * One upsert decides, so two isolates failing at the same moment cannot both win. The
 * winner also learns when the previous alert went out (to count what happened since).
 */
export async function claimAlert(db: Db, fingerprint: string, windowMs: number, now = Date.now()): Promise<AlertClaim> {
  const before = await db.get<{ last_sent_at: number }>(
    sql`SELECT last_sent_at FROM admin_alerts WHERE fingerprint = ${fingerprint}`,
  )
  // `count` restarts at 1 with each window: the caller whose upsert makes it 1 sends.
  const row = await db.get<{ count: number }>(sql`
    INSERT INTO admin_alerts (fingerprint, last_sent_at, count) VALUES (${fingerprint}, ${now}, 1)
    ON CONFLICT (fingerprint) DO UPDATE SET
      count = CASE WHEN last_sent_at <= ${now - windowMs} THEN 1 ELSE count + 1 END,
      last_sent_at = CASE WHEN last_sent_at <= ${now - windowMs} THEN ${now} ELSE last_sent_at END
    RETURNING count`)
  if (row?.count !== 1) return { claimed: false }
  return { claimed: true, previousSentAt: before?.last_sent_at ?? null }
}

/**
 * Gives a claimed window back (the alert could not be queued), so the next occurrence may
 * alert. Only the claim made at `claimedAt` is undone.
 */
export async function releaseAlert(
  db: Db,
  fingerprint: string,
  claimedAt: number,
  previousSentAt: number | null,
): Promise<void> {
  if (previousSentAt === null) {
    await db.run(sql`DELETE FROM admin_alerts WHERE fingerprint = ${fingerprint} AND last_sent_at = ${claimedAt}`)
  } else {
    await db.run(sql`
      UPDATE admin_alerts SET last_sent_at = ${previousSentAt}, count = 0
      WHERE fingerprint = ${fingerprint} AND last_sent_at = ${claimedAt}`)
  }
}

/** Dead letters recorded after `since` (alerts about alerts left out). */
export async function countDeadLettersSince(db: Db, since: number): Promise<number> {
  const row = await db.get<{ n: number }>(sql`
    SELECT count(*) AS n FROM email_dead_letters
    WHERE created_at > ${since} AND reason = 'dead-letter'
      AND (idempotency_key IS NULL OR idempotency_key NOT LIKE 'alert:%')`)
  return row?.n ?? 0
}
