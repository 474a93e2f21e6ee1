import type { Context } from 'hono'
import { safeError } from '../db/errors'

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
