import type { Context } from 'hono'
import { sha256 } from '@oslojs/crypto/sha2'
import { encodeHexLowerCase } from '@oslojs/encoding'
import { createPrimaryDb } from '../../db/client'
import type { Bindings } from '../../env'
import { createTranslator, DEFAULT_LANGUAGE } from '../../lib/i18n'
import { safeError, safeErrorText } from '../../db/errors'
import { logError } from '../../middleware/log'
import { EmailLayout, renderEmailHtml, textBody } from '../../views/email'
import { adminAddresses, sendEmail, type EmailMessage } from './send'
import { claimAlert, countDeadLettersSince, releaseAlert } from './queries'

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

/** Subjects stay one short line, well inside the message schema's limit. */
export const MAX_SUBJECT_LENGTH = 150

/** One line of at most `max` characters (an ellipsis marks a cut). */
export function clipLine(text: string, max: number): string {
  const line = text.replace(/[\r\n\t]+/g, ' ')
  const chars = [...line]
  return chars.length <= max ? line : `${chars.slice(0, max - 1).join('')}…`
}

/**
 * Sends one alert under a claimed window. The window is claimed first (one upsert, so two
 * isolates cannot both send) and given back if the message could not be queued, so a failed
 * send does not silence the next alert for the same error.
 */
async function sendClaimed(
  env: Bindings,
  fingerprint: string,
  now: number,
  send: (previousSentAt: number | null) => Promise<void>,
  windowMs = ALERT_WINDOW_MS,
): Promise<void> {
  const db = createPrimaryDb(env.DB)
  const claim = await claimAlert(db, fingerprint, windowMs, now)
  if (!claim.claimed) return
  try {
    await send(claim.previousSentAt)
  } catch (error) {
    await releaseAlert(db, fingerprint, now, claim.previousSentAt)
    throw error
  }
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
    // Only the cause's name and message (no SQL, no parameters), so one failing table is
    // one alert for every member who hits it, not one per user id in the query.
    const err = safeError(input.error)
    const fingerprint = `error:${fingerprintOf(`${err.name}\n${err.message}\n${input.method} ${input.route}`)}`
    await sendClaimed(env, fingerprint, now, async () => {
      const t = createTranslator(DEFAULT_LANGUAGE)
      const time = new Date(now).toISOString()
      const subject = clipLine(
        t('alerts.error.subject', {
          name: clipLine(err.name, 40),
          method: input.method,
          path: clipLine(input.path, 80),
        }),
        MAX_SUBJECT_LENGTH,
      )
      const rows: [string, string][] = [
        [t('alerts.error.requestId'), input.requestId ?? '-'],
        [t('alerts.error.time'), time],
        [t('alerts.error.request'), `${input.method} ${input.path}`],
        [t('alerts.error.error'), `${err.name}: ${err.message}`],
      ]
      const stack = err.stack.split('\n').slice(0, 12).join('\n')
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
          {stack ? (
            <pre style="font-size:12px;white-space:pre-wrap;background:#f4f4f5;padding:12px">{stack}</pre>
          ) : null}
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
        idempotencyKey: `alert:${fingerprint}:${now}`,
        category: 'alert',
      })
    })
  } catch (error) {
    console.error(
      JSON.stringify({
        level: 'error',
        event: 'alert.failed',
        requestId: input.requestId,
        error: safeErrorText(error),
      }),
    )
  }
}

/** What the admins are told of an account deletion that stopped progressing. */
export type StalledDeletion = {
  id: number
  userId: number
  createdAt: number
  progressAt: number | null
  attempts: number
  /** The step it is on (the job's cursor), e.g. `followers` or `posts`. */
  phase: string
}

/** One alert per stalled deletion per this window, for as long as it stays stalled. */
export const STALLED_DELETION_ALERT_WINDOW_MS = 24 * 60 * 60 * 1000

/**
 * Tells the admins that an account deletion has made no progress for a day: it retries on
 * its own for ever, so without this a bug that fails one of its steps every time would keep
 * a member's data stored unseen. Once a day per deletion; ids and times only, nothing of the
 * member (the member id leads to the rest). Never throws: a failed alert is logged.
 */
export async function alertAdminsOfStalledDeletion(
  env: Bindings,
  job: StalledDeletion,
  now = Date.now(),
): Promise<void> {
  try {
    const admins = adminAddresses(env)
    if (admins.length === 0) return
    await sendClaimed(
      env,
      `deletion-stalled:${job.id}`,
      now,
      async () => {
        const t = createTranslator(DEFAULT_LANGUAGE)
        const time = (ms: number | null) =>
          ms === null ? t('alerts.deletionStalled.never') : new Date(ms).toISOString()
        const subject = clipLine(t('alerts.deletionStalled.subject', { job: job.id }), MAX_SUBJECT_LENGTH)
        const rows: [string, string][] = [
          [t('alerts.deletionStalled.job'), String(job.id)],
          [t('alerts.deletionStalled.member'), String(job.userId)],
          [t('alerts.deletionStalled.confirmed'), time(job.createdAt)],
          [t('alerts.deletionStalled.progress'), time(job.progressAt)],
          [t('alerts.deletionStalled.attempts'), String(job.attempts)],
          [t('alerts.deletionStalled.phase'), clipLine(job.phase, 40)],
        ]
        const footer = t('alerts.deletionStalled.footer')
        const html = await renderEmailHtml(
          <EmailLayout t={t} lang={DEFAULT_LANGUAGE} title={subject} footer={footer}>
            <p>{t('alerts.deletionStalled.intro')}</p>
            <table style="border-collapse:collapse;font-size:14px">
              {rows.map(([label, value]) => (
                <tr>
                  <th style="text-align:left;padding:4px 12px 4px 0">{label}</th>
                  <td style="padding:4px 0;font-family:monospace">{value}</td>
                </tr>
              ))}
            </table>
          </EmailLayout>,
        )
        const text = textBody(
          t('alerts.deletionStalled.intro'),
          rows.map(([label, value]) => `${label}: ${value}`).join('\n'),
          footer,
        )
        await sendEmail(env, {
          to: admins,
          subject,
          text,
          html,
          idempotencyKey: `alert:deletion-stalled:${job.id}:${now}`,
          category: 'alert',
        })
      },
      STALLED_DELETION_ALERT_WINDOW_MS,
    )
  } catch (error) {
    console.error(JSON.stringify({ level: 'error', event: 'alert.failed', jobId: job.id, error: safeErrorText(error) }))
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
  await sendClaimed(env, 'dead-letter', now, async (previousSentAt) => {
    const t = createTranslator(DEFAULT_LANGUAGE)
    // Bursts inside the last alert's window got no email of their own: say how many.
    const recorded = previousSentAt === null ? 0 : await countDeadLettersSince(createPrimaryDb(env.DB), previousSentAt)
    const more = Math.max(0, recorded - parked.length)
    const subject = clipLine(t('alerts.deadLetter.subject', { count: parked.length }), MAX_SUBJECT_LENGTH)
    const items = parked.map((p) =>
      p.message
        ? t('alerts.deadLetter.item', {
            subject: clipLine(p.message.subject, 100),
            to: p.message.to.join(', '),
            key: p.message.idempotencyKey,
            attempts: p.attempts,
          })
        : t('alerts.deadLetter.invalidItem', { id: p.messageId, attempts: p.attempts }),
    )
    const html = await renderEmailHtml(
      <EmailLayout t={t} lang={DEFAULT_LANGUAGE} title={subject} footer={t('alerts.footer')}>
        <p>{t('alerts.deadLetter.intro')}</p>
        {more > 0 ? <p>{t('alerts.deadLetter.moreSince', { count: more })}</p> : null}
        <ul>
          {items.map((item) => (
            <li>{item}</li>
          ))}
        </ul>
      </EmailLayout>,
    )
    const text = textBody(
      t('alerts.deadLetter.intro'),
      ...(more > 0 ? [t('alerts.deadLetter.moreSince', { count: more })] : []),
      items.map((item) => `- ${item}`).join('\n'),
      t('alerts.footer'),
    )
    await sendEmail(env, {
      to: admins,
      subject,
      text,
      html,
      idempotencyKey: `alert:dead-letter:${now}`,
      category: 'alert',
    })
  })
}

/**
 * What every unexpected error gets, for pages and the API alike: one structured log line,
 * and an alert to the admins queued after the answer (waitUntil) so it is not delayed.
 * Only the method, path, route and request id go in — no query, headers or body.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any app's context (pages or API)
export function reportUnexpectedError(c: Context<any>, error: unknown): void {
  logError(c, error)
  const alert = alertAdminsOfError(c.env as Bindings, {
    error,
    requestId: c.get('requestId') as string | undefined,
    method: c.req.method,
    path: new URL(c.req.url).pathname,
    route: c.req.routePath,
  })
  try {
    c.executionCtx.waitUntil(alert)
  } catch {
    // No execution context (app.request in a unit test): the alert still runs.
  }
}
