// Vitest global setup (runs in Node, not workerd): a real SMTP server on loopback for the
// email tests, plus a tiny HTTP "mailbox" on loopback that the tests read what arrived from.
import { randomBytes } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { simpleParser } from 'mailparser'
import { SMTPServer } from 'smtp-server'
import type { TestProject } from 'vitest/node'

/** One email as the SMTP server received it, parsed. */
export type ReceivedMail = {
  from: string
  to: string[]
  subject: string
  text: string
  html: string
  /** Content types of the MIME parts, e.g. ["text/plain", "text/html"]. */
  parts: string[]
  receivedAt: number
}

declare module 'vitest' {
  export interface ProvidedContext {
    smtpPort: number
    smtpUser: string
    smtpPassword: string
    mailboxUrl: string
  }
}

/** Recipients starting with this are refused with a temporary error (450). */
export const REJECT_PREFIX = 'reject-'

export default async function setup(project: TestProject) {
  const user = 'microblog-test'
  // Random each run: the tests check that it never appears in a log line.
  const password = randomBytes(18).toString('base64url')
  const inbox: ReceivedMail[] = []

  const smtp = new SMTPServer({
    logger: false,
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    onAuth(auth, _session, callback) {
      if (auth.username === user && auth.password === password) return callback(null, { user })
      return callback(new Error('Invalid username or password'))
    },
    onRcptTo(address, _session, callback) {
      if (address.address.startsWith(REJECT_PREFIX)) {
        const error = new Error('Mailbox temporarily unavailable') as Error & { responseCode: number }
        error.responseCode = 450
        return callback(error)
      }
      callback()
    },
    onData(stream, session, callback) {
      const raw: Buffer[] = []
      stream.on('data', (chunk: Buffer) => raw.push(chunk))
      stream.on('end', () => {
        const source = Buffer.concat(raw)
        simpleParser(source)
          .then((mail) => {
            const parts = [...source.toString('latin1').matchAll(/^Content-Type:\s*([\w/+.-]+)/gim)].map((m) =>
              m[1]!.toLowerCase(),
            )
            inbox.push({
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
              subject: mail.subject ?? '',
              text: mail.text ?? '',
              html: typeof mail.html === 'string' ? mail.html : '',
              parts,
              receivedAt: Date.now(),
            })
            callback()
          })
          .catch((error: Error) => callback(error))
      })
    },
  })
  // A client that drops its connection (a test file's isolate torn down mid-delivery) emits
  // ECONNRESET here; unhandled, it would end the whole test run.
  smtp.on('error', () => {})
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve))
  const smtpPort = (smtp.server.address() as AddressInfo).port

  // GET /messages?to=<address> → the emails to that address, oldest first.
  const mailbox: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const to = url.searchParams.get('to')?.toLowerCase()
    const found = to ? inbox.filter((mail) => mail.to.includes(to)) : inbox
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify(found))
  })
  await new Promise<void>((resolve) => mailbox.listen(0, '127.0.0.1', resolve))
  const mailboxPort = (mailbox.address() as AddressInfo).port

  project.provide('smtpPort', smtpPort)
  project.provide('smtpUser', user)
  project.provide('smtpPassword', password)
  project.provide('mailboxUrl', `http://127.0.0.1:${mailboxPort}`)

  return async () => {
    await new Promise<void>((resolve) => smtp.close(() => resolve()))
    await new Promise<void>((resolve) => mailbox.close(() => resolve()))
  }
}
