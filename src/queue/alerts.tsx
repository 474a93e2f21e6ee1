import { sha256 } from '@oslojs/crypto/sha2'
import { encodeHexLowerCase } from '@oslojs/encoding'
import { createDb } from '../db/client'
import type { Bindings } from '../env'
import { createTranslator, DEFAULT_LANGUAGE } from '../lib/i18n'
import { EmailLayout, renderEmailHtml, textBody } from '../views/email'
import { adminAddresses, sendEmail, type EmailMessage } from './messages'
import { claimAlert } from './queries'

/** At most one alert per distinct error (or per dead-letter burst) in this window. */
export const ALERT_WINDOW_MS = 10 * 60 * 1000

/** What an alert may say about a request: no cookies, headers, bodies or query strings. */
export type ErrorAlertInput = {
  error: unknown
  requestId: string | undefined
  method: string
  /** The path only (`new URL(url).pathname`). */
  path: string
  /** The matched route pattern (`/user/:username`), used to group the same error. */
  route: string
}

function fingerprintOf(text: string): string {
  return encodeHexLowerCase(sha256(new TextEncoder().encode(text))).slice(0, 32)
}

/**
 * Emails the admins about an unhandled error, through the queue like any email, at most once
 * per distinct error (name + message + route) per 10 minutes. Never throws: an alert that
 * cannot be sent is logged, and the error page is answered regardless.
 */
export async function alertAdminsOfError(env: Bindings, input: ErrorAlertInput, now = Date.now()): Promise<void> {
  try {
    const admins = adminAddresses(env)
    if (admins.length === 0) return
    const err = input.error instanceof Error ? input.error : new Error(String(input.error))
    const fingerprint = fingerprintOf(`${err.name}\n${err.message}\n${input.method} ${input.route}`)
    if (!(await claimAlert(createDb(env.DB), `error:${fingerprint}`, ALERT_WINDOW_MS, now))) return
    const t = createTranslator(DEFAULT_LANGUAGE)
    const time = new Date(now).toISOString()
    const subject = t('alerts.error.subject', { name: err.name, method: input.method, path: input.path })
    const rows: [string, string][] = [
      [t('alerts.error.requestId'), input.requestId ?? '-'],
      [t('alerts.error.time'), time],
      [t('alerts.error.request'), `${input.method} ${input.path}`],
      [t('alerts.error.error'), `${err.name}: ${err.message}`],
    ]
    const stack = (err.stack ?? '').split('\n').slice(0, 12).join('\n')
    const html = await renderEmailHtml(
      <EmailLayout t={t} lang={DEFAULT_LANGUAGE} title={subject} footer={t('alerts.footer')}>
        <p>{t('alerts.error.intro')}</p>
        <table style="border-collapse:collapse;font-size:14px">
          {rows.map(([label, value]) => (
            <tr>
              <th style="text-align:left;padding:4px 12px 4px 0;vertical-align:top">{label}</th>
              <td style="padding:4px 0;font-family:monospace">{value}</td>
            </tr>
          ))}
        </table>
        {stack ? <pre style="font-size:12px;white-space:pre-wrap;background:#f4f4f5;padding:12px">{stack}</pre> : null}
      </EmailLayout>,
    )
    const text = textBody(
      t('alerts.error.intro'),
      rows.map(([label, value]) => `${label}: ${value}`).join('\n'),
      stack,
      t('alerts.footer'),
    )
    await sendEmail(env, {
      to: admins,
      subject,
      text,
      html,
      idempotencyKey: `alert:error:${fingerprint}:${now}`,
      category: 'alert',
    })
  } catch (error) {
    console.error(
      JSON.stringify({ level: 'error', event: 'alert.failed', requestId: input.requestId, error: String(error) }),
    )
  }
}

export type ParkedEmail = { messageId: string; attempts: number; message: EmailMessage | null }

/**
 * Tells the admins that emails were parked in the dead-letter queue (they are already
 * recorded in D1). Alerts about alerts are never sent — the caller leaves those out — so a
 * dead alert cannot start a loop; and bursts are grouped, one email per 10 minutes.
 */
export async function alertAdminsOfDeadLetters(env: Bindings, parked: ParkedEmail[], now = Date.now()): Promise<void> {
  const admins = adminAddresses(env)
  if (admins.length === 0 || parked.length === 0) return
  if (!(await claimAlert(createDb(env.DB), 'dead-letter', ALERT_WINDOW_MS, now))) return
  const t = createTranslator(DEFAULT_LANGUAGE)
  const subject = t('alerts.deadLetter.subject', { count: parked.length })
  const items = parked.map((p) =>
    p.message
      ? t('alerts.deadLetter.item', {
          subject: p.message.subject,
          to: p.message.to.join(', '),
          key: p.message.idempotencyKey,
          attempts: p.attempts,
        })
      : t('alerts.deadLetter.invalidItem', { id: p.messageId, attempts: p.attempts }),
  )
  const html = await renderEmailHtml(
    <EmailLayout t={t} lang={DEFAULT_LANGUAGE} title={subject} footer={t('alerts.footer')}>
      <p>{t('alerts.deadLetter.intro')}</p>
      <ul>
        {items.map((item) => (
          <li>{item}</li>
        ))}
      </ul>
    </EmailLayout>,
  )
  const text = textBody(t('alerts.deadLetter.intro'), items.map((item) => `- ${item}`).join('\n'), t('alerts.footer'))
  await sendEmail(env, {
    to: admins,
    subject,
    text,
    html,
    idempotencyKey: `alert:dead-letter:${now}`,
    category: 'alert',
  })
}
