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
