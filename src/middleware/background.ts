import type { Context } from 'hono'
import { safeErrorText } from '../db/errors'
import type { AppEnv } from '../env'

/**
 * Runs `work` after the answer when the runtime allows (`waitUntil`), else before it (a unit
 * test's `app.request` has no execution context). Emails that follow an account change go
 * this way: the answer takes as long whether or not there is someone to write to, and a
 * failure costs one log line (`event`, with the request id and a SQL-free error), never the
 * page.
 */
export async function inBackground(c: Context<AppEnv>, event: string, work: () => Promise<void>): Promise<void> {
  const task = work().catch((error: unknown) =>
    console.error(JSON.stringify({ level: 'error', event, requestId: c.var.requestId, error: safeErrorText(error) })),
  )
  try {
    c.executionCtx.waitUntil(task)
  } catch {
    await task
  }
}
