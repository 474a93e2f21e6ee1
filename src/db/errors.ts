import { DrizzleQueryError } from 'drizzle-orm'

/**
 * Which unique constraint a failed write broke, or null when the error is something else.
 *
 * Drizzle wraps the driver's error: its own `message` is "Failed query: … params: …", and the
 * D1 error ("UNIQUE constraint failed: users.email: SQLITE_CONSTRAINT", or "… index
 * 'users_username_lower_idx'" for an expression index) is on `error.cause`. So the causes are
 * walked and the constraint is named from them, never guessed from the query text (which
 * mentions every column).
 */
export function uniqueViolation(error: unknown): string | null {
  for (let e: unknown = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const message = String((e as { message?: unknown }).message ?? '')
    const match = /UNIQUE constraint failed: (?:index '([^']+)'|([\w.]+(?:, [\w.]+)*))/.exec(message)
    if (match) return match[1] ?? match[2]!
  }
  return null
}

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
