import { z } from 'zod'
import type { Bindings } from '../../env'

/** No CR or LF: a header value with a line break could inject headers into the email. */
const headerSafe = /^[^\r\n]*$/

/**
 * An email as it travels through `EMAIL_QUEUE`: already rendered, addressed and keyed.
 * Strict (unknown fields are refused), so nothing else — least of all an SMTP credential —
 * rides along; the consumer reads transport settings from its own environment.
 */
export const emailMessageSchema = z.strictObject({
  to: z.array(z.email()).min(1).max(50),
  subject: z.string().min(1).max(300).regex(headerSafe),
  text: z.string().max(100_000),
  html: z.string().max(100_000),
  attachments: z
    .array(
      z.strictObject({
        filename: z
          .string()
          .min(1)
          .max(100)
          .regex(/^[\w.-]+$/),
        contentType: z
          .string()
          .max(100)
          .regex(/^[\w.+-]+\/[\w.+-]+$/),
        /** Base64. */
        content: z.string().regex(/^[A-Za-z0-9+/=\s]*$/),
      }),
    )
    .max(5)
    .optional(),
  /** Stable per logical email: a redelivered message with a key already sent is skipped. */
  idempotencyKey: z.string().min(1).max(200),
  /**
   * `alert` marks messages to the admins. When one of them ends in the dead-letter queue
   * it is recorded but does not raise another alert (which could die the same way).
   */
  category: z.enum(['user', 'alert']).default('user'),
  /**
   * The email carries a secret (a reset link). If it ends in the dead-letter queue its text
   * and HTML are not kept (see recordDeadLetter).
   */
  sensitive: z.boolean().default(false),
})

export type EmailMessage = z.output<typeof emailMessageSchema>
export type EmailMessageInput = z.input<typeof emailMessageSchema>

/** Queues are limited to 128 KB per message; stay below with room for the envelope. */
const MAX_MESSAGE_BYTES = 120 * 1024

/**
 * Queues an email for delivery. Handlers never talk to a mail server: they render the
 * email and call this; the queue consumer delivers it (and retries). Throws if the message
 * is not valid — that is a programming error, not a user error.
 */
export async function sendEmail(env: Pick<Bindings, 'EMAIL_QUEUE'>, input: EmailMessageInput): Promise<void> {
  const message = emailMessageSchema.parse(input)
  const size = new TextEncoder().encode(JSON.stringify(message)).byteLength
  if (size > MAX_MESSAGE_BYTES) throw new Error(`email message too large for the queue (${size} bytes)`)
  await env.EMAIL_QUEUE.send(message, { contentType: 'json' })
}

/**
 * `sendEmail`, tried again when the queue refuses (a brief outage of the queue service):
 * up to `attempts` times, waiting a little longer each time. For notices that must not be
 * lost to one refused send; run it in `waitUntil` so the answer does not wait.
 */
export async function sendEmailWithRetry(
  env: Pick<Bindings, 'EMAIL_QUEUE'>,
  input: EmailMessageInput,
  { attempts = 4, delayMs = 250 }: { attempts?: number; delayMs?: number } = {},
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await sendEmail(env, input)
      return
    } catch (error) {
      if (attempt >= attempts) throw error
      await new Promise((resolve) => setTimeout(resolve, delayMs * 2 ** (attempt - 1)))
    }
  }
}

/** Splits `ADMINS` ("a@x.org, b@y.org") into valid addresses; bad entries are skipped. */
export function adminAddresses(env: Pick<Bindings, 'ADMINS'>): string[] {
  return (env.ADMINS ?? '')
    .split(',')
    .map((address) => address.trim())
    .filter((address) => z.email().safeParse(address).success)
}
