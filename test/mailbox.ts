import { inject } from 'vitest'
import type { ReceivedMail } from './mail-server'

export type { ReceivedMail }

/** The emails the loopback SMTP server (test/mail-server.ts) received for `to`. */
export async function mailTo(to: string): Promise<ReceivedMail[]> {
  const response = await fetch(`${inject('mailboxUrl')}/messages?to=${encodeURIComponent(to)}`)
  return response.json()
}

/** Waits until at least `count` emails reached `to` (the queue consumer runs on its own time). */
export async function waitForMail(to: string, count = 1, timeoutMs = 20_000): Promise<ReceivedMail[]> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const mails = await mailTo(to)
    if (mails.length >= count) return mails
    if (Date.now() > deadline) throw new Error(`expected ${count} email(s) to ${to}, got ${mails.length}`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

/** The first absolute link to `path` in a text, e.g. the reset link in an email. */
export function linkTo(text: string, path: string): URL {
  const match = new RegExp(`https?://[^\\s"'<>]*${path.replace(/[/]/g, '\\/')}[^\\s"'<>]*`).exec(text)
  if (!match) throw new Error(`no link to ${path} in: ${text}`)
  return new URL(match[0])
}
