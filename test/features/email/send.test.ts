import { describe, expect, it } from 'vitest'
import type { Bindings } from '../../../src/env'
import { adminAddresses, emailMessageSchema, sendEmail } from '../../../src/features/email/send'
import { parseMailFrom, readTransportConfig } from '../../../src/features/email/transports'
import { env } from '../../helpers'

const valid = {
  to: ['a@example.com'],
  subject: 'Hi',
  text: 'text',
  html: '<p>html</p>',
  idempotencyKey: 'k1',
}

/** Only the bindings a transport reads, and none of the suite's email settings. */
function bindings(overrides: Partial<Bindings>): Bindings {
  const only: Partial<Bindings> = {
    DB: env.DB,
    EMAIL_QUEUE: env.EMAIL_QUEUE,
    JOBS_QUEUE: env.JOBS_QUEUE,
    FANOUT_QUEUE: env.FANOUT_QUEUE,
    EXPORTS: env.EXPORTS,
    ...overrides,
  }
  return only as Bindings
}

describe('email message schema', () => {
  it('accepts a rendered email and defaults its category', () => {
    expect(emailMessageSchema.parse(valid).category).toBe('user')
    const withFile = {
      ...valid,
      attachments: [{ filename: 'posts.json', contentType: 'application/json', content: 'e30=' }],
    }
    expect(emailMessageSchema.safeParse(withFile).success).toBe(true)
  })

  it('refuses extra fields, header injection, bad addresses and odd file names', () => {
    for (const bad of [
      { ...valid, smtpPassword: 'x' },
      { ...valid, subject: 'Hi\nBcc: x@example.com' },
      { ...valid, to: ['not an address'] },
      { ...valid, to: [] },
      { ...valid, idempotencyKey: '' },
      { ...valid, attachments: [{ filename: '../x.json', contentType: 'application/json', content: 'e30=' }] },
    ]) {
      expect(emailMessageSchema.safeParse(bad).success).toBe(false)
    }
  })

  it('sendEmail refuses an invalid or oversized message before it reaches the queue', async () => {
    await expect(sendEmail(env, { ...valid, subject: '' })).rejects.toThrow()
    await expect(sendEmail(env, { ...valid, html: 'x'.repeat(100_000), text: 'y'.repeat(100_000) })).rejects.toThrow(
      /too large/,
    )
  })
})

describe('configuration', () => {
  it('reads ADMINS as a comma-separated list, skipping junk', () => {
    expect(adminAddresses({ ADMINS: ' a@example.com,b@example.org , nope,, ' })).toEqual([
      'a@example.com',
      'b@example.org',
    ])
    expect(adminAddresses({ ADMINS: '' })).toEqual([])
  })

  it('parses MAIL_FROM with or without a display name', () => {
    expect(parseMailFrom('Microblog <no-reply@example.com>')).toEqual({
      name: 'Microblog',
      email: 'no-reply@example.com',
    })
    expect(parseMailFrom('"Micro Blog" <a@example.com>')).toEqual({ name: 'Micro Blog', email: 'a@example.com' })
    expect(parseMailFrom('a@example.com')).toEqual({ email: 'a@example.com' })
    expect(parseMailFrom('nobody')).toBeNull()
    expect(parseMailFrom('x <a@example.com>\r\nBcc: b@example.com')).toBeNull()
  })

  it('defaults to the log transport and checks the smtp settings', () => {
    expect(readTransportConfig(bindings({}))).toEqual({ ok: true, config: { kind: 'log' } })
    const smtp = readTransportConfig(
      bindings({
        EMAIL_TRANSPORT: 'smtp',
        SMTP_HOST: 'mail.example.com',
        SMTP_SECURE: 'tls',
        MAIL_FROM: 'a@example.com',
      }),
    )
    expect(smtp).toMatchObject({ ok: true, config: { kind: 'smtp', smtp: { port: 465, secure: 'tls', user: null } } })
    const secret = 'super-secret-password-value'
    for (const overrides of [
      { SMTP_HOST: '' },
      { SMTP_PORT: '99999' },
      { SMTP_SECURE: 'ssl-please' },
      { MAIL_FROM: 'nobody' },
      { SMTP_USER: '' },
    ]) {
      const result = readTransportConfig(
        bindings({
          EMAIL_TRANSPORT: 'smtp',
          SMTP_HOST: 'mail.example.com',
          MAIL_FROM: 'a@example.com',
          SMTP_USER: 'me',
          SMTP_PASSWORD: secret,
          ...overrides,
        }),
      )
      expect(result.ok).toBe(false)
      expect(JSON.stringify(result)).not.toContain(secret)
    }
  })
})
