import type { Context } from 'hono'
import { DrizzleQueryError } from 'drizzle-orm'

/** An error as it may be logged or emailed: no SQL, no bound parameters. */
export type SafeError = { name: string; message: string; stack: string }

/**
 * What may be said about an error outside the process. Drizzle wraps every failed query in
 * an error whose message is the SQL *and its bound parameters* (emails, password hashes,
 * token hashes, post bodies), so a query error is described by its cause (D1's own error,
 * e.g. "D1_ERROR: no such table: posts") instead. The stack keeps only its frames: its
 * first line repeats the message.
 */
export function safeError(error: unknown): SafeError {
  let err: unknown = error
  while (err instanceof DrizzleQueryError) err = err.cause ?? new Error('database query failed')
  const e = err instanceof Error ? err : new Error(String(err))
  const name = e.name || 'Error'
  const message = e.message
  const frames = (e.stack ?? '')
    .split('\n')
    .filter((line) => /^\s+at /.test(line))
    .join('\n')
  return { name, message, stack: frames ? `${name}: ${message}\n${frames}` : `${name}: ${message}` }
}

/** `Name: message` of `safeError`, for one-line log fields. */
export function safeErrorText(error: unknown): string {
  const { name, message } = safeError(error)
  return `${name}: ${message}`
}

/**
 * A request id the client sent, kept only as a separate, bounded field for correlation
 * with the client's own logs; it never replaces ours.
 */
function clientRequestId(c: Context): string | undefined {
  const value = c.req.header('X-Request-Id')
  return value && /^[\w.-]{1,64}$/.test(value) ? value : undefined
}

/**
 * One structured JSON line per unhandled error: our request id, method, path (no query, no
 * headers, no body — they can hold tokens or passwords) and the error as `safeError` tells it.
 */
export function logError(c: Context, error: unknown): void {
  console.error(
    JSON.stringify({
      level: 'error',
      time: new Date().toISOString(),
      requestId: c.get('requestId') as string | undefined,
      clientRequestId: clientRequestId(c),
      method: c.req.method,
      path: new URL(c.req.url).pathname,
      error: safeError(error),
    }),
  )
}
