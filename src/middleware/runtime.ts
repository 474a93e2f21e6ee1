import type { Context } from 'hono'
import type { Bindings } from '../env'
import { logError } from './log'

/**
 * What a write that the site and the API share (a feature's `actions.ts`) takes from the
 * request besides the database and the member: plain values, never the Hono Context, so
 * one function serves both apps and a test calls it with its own.
 */
export type Runtime = {
  env: Bindings
  /** Keeps the Worker alive for `work` after the answer has gone (the request's waitUntil). */
  waitUntil(work: Promise<unknown>): void
  /** Logs a failure of such work with the request's id and path (never the body). */
  logError(error: unknown): void
}

/** The runtime of a request of either app (the site's or the API's). */
export function runtimeOf(c: Context): Runtime {
  return {
    env: c.env as Bindings,
    waitUntil(work) {
      try {
        c.executionCtx.waitUntil(work)
      } catch {
        // No execution context (app.request in a unit test): the promise still runs.
      }
    },
    logError: (error) => logError(c, error),
  }
}
