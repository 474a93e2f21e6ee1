import type { Context } from 'hono'

/**
 * One structured JSON line per unhandled error: request id, method, path (no query, no
 * headers, no body — they can hold tokens or passwords) and the error itself.
 */
export function logError(c: Context, error: unknown): void {
  const err = error instanceof Error ? error : new Error(String(error))
  console.error(
    JSON.stringify({
      level: 'error',
      time: new Date().toISOString(),
      requestId: c.get('requestId') as string | undefined,
      method: c.req.method,
      path: new URL(c.req.url).pathname,
      error: { name: err.name, message: err.message, stack: err.stack },
    }),
  )
}
