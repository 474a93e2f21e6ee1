import { env } from 'cloudflare:workers'
import { describe, expect, it, vi } from 'vitest'
import { sendEmail } from '../../../src/features/email/send'
import { uniqueName } from '../../helpers'
import { mailTo, type ReceivedMail } from '../../mailbox'

/**
 * The whole chain on the real local queues, nothing simulated: a message the SMTP server
 * keeps refusing is retried by the platform up to `max_retries` (wrangler.toml), then
 * parked in the dead-letter queue, whose consumer records it in D1 and tells the admins.
 * (vitest.config.ts sets EMAIL_RETRY_BASE_SECONDS=0, so the retries do not wait.)
 */
describe('email queue → retries → dead-letter queue', () => {
  it('records an undeliverable email in D1 after max_retries, and alerts the admins', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {})
    vi.spyOn(console, 'error').mockImplementation(() => {})
    vi.spyOn(console, 'log').mockImplementation(() => {})
    const key = `chain:${uniqueName('k')}`
    // The test SMTP server refuses recipients starting with reject- (450, temporary).
    const to = `reject-${uniqueName('chain').toLowerCase()}@example.com`
    await sendEmail(env, { to: [to], subject: 'Never arrives', text: 'x\n', html: '<p>x</p>', idempotencyKey: key })

    let row: { attempts: number; subject: string; reason: string } | null = null
    const deadline = Date.now() + 45_000
    while (!row && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250))
      row = await env.DB.prepare('SELECT attempts, subject, reason FROM email_dead_letters WHERE idempotency_key = ?')
        .bind(key)
        .first()
    }
    expect(row).not.toBeNull()
    expect(row!.subject).toBe('Never arrives')
    expect(row!.reason).toBe('dead-letter')
    // Never marked as sent.
    const sent = await env.DB.prepare('SELECT 1 FROM sent_emails WHERE idempotency_key = ?').bind(key).first()
    expect(sent).toBeNull()
    // The admins hear about it (ADMINS in vitest.config.ts). Other test files alert the same
    // address at the same time (a stalled deletion, say), so look for this alert among them.
    const deadlineForAlert = Date.now() + 20_000
    let alert: ReceivedMail | undefined
    while (!alert && Date.now() < deadlineForAlert) {
      alert = (await mailTo('admin@microblog.test')).find((m) => /could not be delivered/.test(m.subject))
      if (!alert) await new Promise((resolve) => setTimeout(resolve, 200))
    }
    expect(alert?.subject).toMatch(/could not be delivered/)
  }, 60_000)
})
