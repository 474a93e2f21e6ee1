import { LogLevel, WorkerMailer } from 'worker-mailer'
import type { Db } from '../../db/client'
import type { Bindings } from '../../env'
import type { EmailMessage } from './send'
import { storeDevOutboxEmail } from './queries'

/** Delivers emails. `send` resolves once the mail server (or the log) accepted the message. */
export interface Transport {
  readonly name: 'smtp' | 'log'
  send(message: EmailMessage): Promise<void>
  close(): Promise<void>
}

export type SmtpSecurity = 'none' | 'starttls' | 'tls'

export type SmtpConfig = {
  host: string
  port: number
  secure: SmtpSecurity
  user: string | null
  password: string | null
  from: { name?: string; email: string }
}

export type TransportConfig = { kind: 'log' } | { kind: 'smtp'; smtp: SmtpConfig }

const DEFAULT_PORTS: Record<SmtpSecurity, number> = { none: 25, starttls: 587, tls: 465 }

/** `Microblog <no-reply@example.com>` or a bare address. */
export function parseMailFrom(value: string | undefined): { name?: string; email: string } | null {
  const text = (value ?? '').trim()
  const match = /^(?:"?([^"<>\r\n]*?)"?\s*)?<([^<>\s@]+@[^<>\s@]+)>$/.exec(text)
  if (match) return match[1] ? { name: match[1].trim(), email: match[2]! } : { email: match[2]! }
  if (/^[^<>\s@]+@[^<>\s@]+$/.test(text)) return { email: text }
  return null
}

/**
 * Reads the transport settings. A misconfiguration is a value with a message that names the
 * variable (never its value: one of them is the SMTP password).
 */
export function readTransportConfig(
  env: Bindings,
): { ok: true; config: TransportConfig } | { ok: false; error: string } {
  const kind = (env.EMAIL_TRANSPORT ?? 'log').trim().toLowerCase() || 'log'
  if (kind === 'log') return { ok: true, config: { kind: 'log' } }
  if (kind !== 'smtp') return { ok: false, error: 'EMAIL_TRANSPORT must be "smtp" or "log"' }

  const secure = ((env.SMTP_SECURE ?? 'starttls').trim().toLowerCase() || 'starttls') as SmtpSecurity
  if (!(secure in DEFAULT_PORTS)) return { ok: false, error: 'SMTP_SECURE must be "none", "starttls" or "tls"' }
  const host = (env.SMTP_HOST ?? '').trim()
  if (!host) return { ok: false, error: 'SMTP_HOST is not set' }
  const portText = String(env.SMTP_PORT ?? '').trim()
  const port = portText === '' ? DEFAULT_PORTS[secure] : Number(portText)
  if (!Number.isInteger(port) || port < 1 || port > 65535) return { ok: false, error: 'SMTP_PORT is not a port number' }
  const from = parseMailFrom(env.MAIL_FROM)
  if (!from) return { ok: false, error: 'MAIL_FROM is not an address' }
  const user = env.SMTP_USER?.trim() || null
  const password = env.SMTP_PASSWORD || null
  if ((user === null) !== (password === null))
    return { ok: false, error: 'set both SMTP_USER and SMTP_PASSWORD, or neither' }
  return { ok: true, config: { kind: 'smtp', smtp: { host, port, secure, user, password, from } } }
}

/**
 * `log`: one summary line per email (addresses, subject, key and sizes — never the body,
 * which can carry a reset link). In development the whole email is also kept in the
 * outbox table for /dev/mail.
 */
export function createLogTransport(db: Db, env: Pick<Bindings, 'ENVIRONMENT'>): Transport {
  return {
    name: 'log',
    async send(message) {
      console.log(
        JSON.stringify({
          level: 'info',
          event: 'email.logged',
          to: message.to,
          subject: message.subject,
          idempotencyKey: message.idempotencyKey,
          textBytes: message.text.length,
          htmlBytes: message.html.length,
          attachments: message.attachments?.length ?? 0,
        }),
      )
      if (env.ENVIRONMENT === 'development') await storeDevOutboxEmail(db, message)
    },
    async close() {},
  }
}

/**
 * `smtp`: worker-mailer over `cloudflare:sockets`. One connection serves a whole batch; it
 * is opened on the first email and dropped after a failure, so the next email starts on a
 * clean session.
 *
 * Security notes: worker-mailer's own logging stays at WARN (its DEBUG level prints the
 * SMTP dialogue, AUTH included). With `starttls`, worker-mailer upgrades when the server
 * offers STARTTLS but carries on in clear text when it does not; prefer `tls` (port 465)
 * where the provider offers it.
 */
export function createSmtpTransport(config: SmtpConfig): Transport {
  let mailer: WorkerMailer | null = null

  async function connect(): Promise<WorkerMailer> {
    return WorkerMailer.connect({
      host: config.host,
      port: config.port,
      secure: config.secure === 'tls',
      startTls: config.secure === 'starttls',
      ...(config.user && config.password
        ? { credentials: { username: config.user, password: config.password }, authType: ['plain', 'login'] as const }
        : {}),
      logLevel: LogLevel.WARN,
      // A dead server must fail the attempt (and schedule a retry) long before the
      // consumer's own time limit.
      socketTimeoutMs: 10_000,
      responseTimeoutMs: 10_000,
    })
  }

  async function drop(): Promise<void> {
    const current = mailer
    mailer = null
    await current?.close().catch(() => {})
  }

  return {
    name: 'smtp',
    async send(message) {
      try {
        mailer ??= await connect()
        await mailer.send({
          from: config.from,
          to: message.to,
          subject: message.subject,
          text: message.text,
          html: message.html,
          attachments: message.attachments?.map((a) => ({
            filename: a.filename,
            content: a.content.replace(/\s+/g, ''),
            mimeType: a.contentType,
          })),
        })
      } catch (error) {
        await drop()
        throw error
      }
    },
    close: drop,
  }
}

export function createTransport(config: TransportConfig, db: Db, env: Bindings): Transport {
  return config.kind === 'smtp' ? createSmtpTransport(config.smtp) : createLogTransport(db, env)
}
