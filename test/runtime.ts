import { env } from 'cloudflare:workers'
import type { Runtime } from '../src/middleware/runtime'

/**
 * The runtime an action gets from a request, for calling actions directly: the test
 * worker's real bindings (D1, queues, the members' hubs), a waitUntil whose work `settle()`
 * awaits, and the failures that work logged.
 */
export function testRuntime() {
  const pending: Promise<unknown>[] = []
  const errors: unknown[] = []
  const runtime: Runtime = {
    env,
    waitUntil: (work) => void pending.push(work),
    logError: (error) => void errors.push(error),
  }
  /** Waits for everything handed to waitUntil so far (and what that work handed on). */
  async function settle() {
    while (pending.length > 0) await Promise.all(pending.splice(0))
  }
  return { runtime, settle, errors }
}
