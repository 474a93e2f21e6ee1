import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'

// Times are integers: UTC epoch milliseconds everywhere.

/** Idempotency keys of emails the transport accepted: a redelivered message is a no-op. */
export const sentEmails = sqliteTable(
  'sent_emails',
  {
    idempotencyKey: text('idempotency_key').primaryKey(),
    sentAt: integer('sent_at').notNull(),
  },
  (t) => [index('sent_emails_sent_idx').on(t.sentAt)],
)

/** The dev outbox of the `log` transport, shown at /dev/mail (development only). */
export const devOutbox = sqliteTable(
  'dev_outbox',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    to: text('to').notNull(),
    subject: text('subject').notNull(),
    text: text('text').notNull(),
    html: text('html').notNull(),
    idempotencyKey: text('idempotency_key').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('dev_outbox_created_idx').on(t.createdAt, t.id)],
)

/**
 * Emails that could not be delivered: messages parked in the dead-letter queue after
 * their last retry (`reason = 'dead-letter'`) and bodies that were not valid messages
 * (`reason = 'invalid'`). Nothing is dropped silently.
 */
export const emailDeadLetters = sqliteTable(
  'email_dead_letters',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    messageId: text('message_id').notNull(),
    queue: text('queue').notNull(),
    reason: text('reason').notNull(),
    idempotencyKey: text('idempotency_key'),
    to: text('to'),
    subject: text('subject'),
    body: text('body').notNull(),
    attempts: integer('attempts').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [
    uniqueIndex('email_dead_letters_message_idx').on(t.messageId, t.queue),
    index('email_dead_letters_created_idx').on(t.createdAt),
  ],
)

/** One row per distinct alert (error fingerprint): at most one email per window. */
export const adminAlerts = sqliteTable(
  'admin_alerts',
  {
    fingerprint: text('fingerprint').primaryKey(),
    lastSentAt: integer('last_sent_at').notNull(),
    count: integer('count').notNull(),
  },
  (t) => [index('admin_alerts_last_sent_idx').on(t.lastSentAt)],
)

export type DevOutboxEmail = typeof devOutbox.$inferSelect
