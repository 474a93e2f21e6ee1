import type { Bindings } from '../../env'
import { safeErrorText } from '../../db/errors'
import type { Runtime } from '../../middleware/runtime'
import type { LiveEvent } from './events'

/** At most this many followers are told live about a new post (one hub call each). */
export const LIVE_FANOUT_MAX = 1000

/**
 * Only followers seen this recently are told about a new post: an open tab loads pages (and
 * `GET /live` on every reconnect), which keeps `last_seen_at` within minutes. Waking one hub
 * per follower regardless created a Durable Object for every follower of every post: under
 * `npm run stress` that stalled workerd and grew its memory.
 */
export const LIVE_RECENT_MS = 30 * 60 * 1000

/**
 * Tells members' hubs about a write that already succeeded in D1. It runs after the
 * response (`waitUntil`), so the writer never waits for it; a hub that cannot be reached
 * costs a log line, never the request — the next page load shows the right numbers anyway.
 * `work` may compute the recipients first (e.g. read follower ids) off the request path.
 */
export function notifyLater(runtime: Runtime, work: () => Promise<Array<{ userId: number; event: LiveEvent }>>) {
  const hubs = runtime.env.MEMBER_HUB
  if (!hubs) return
  const run = (async () => {
    const targets = await work()
    const results = await Promise.allSettled(
      targets.map(({ userId, event }) => hubs.getByName(String(userId)).notify(event)),
    )
    const failed = results.find((r) => r.status === 'rejected')
    if (failed) throw (failed as PromiseRejectedResult).reason
  })().catch((error: unknown) => runtime.logError(error))
  runtime.waitUntil(run)
}

/** Shorthand for events whose recipients are known. */
export function notifyMembers(runtime: Runtime, targets: Array<{ userId: number; event: LiveEvent }>) {
  notifyLater(runtime, async () => targets)
}

/** How long a background job waits for a hub before it gives up on a push. */
export const PUSH_TIMEOUT_MS = 2000

/**
 * Tells one member's hub about an event from outside a request (a queue consumer, a cron),
 * awaited so a job's pushes arrive in order. It never throws and never waits longer than
 * `timeoutMs`: a hub that fails or hangs costs a log line, never the job. True when the hub
 * took the event.
 */
export async function notifyMemberNow(
  env: Bindings,
  userId: number,
  event: LiveEvent,
  timeoutMs = PUSH_TIMEOUT_MS,
): Promise<boolean> {
  const hubs = env.MEMBER_HUB
  if (!hubs) return false
  try {
    await withinTime(hubs.getByName(String(userId)).notify(event), timeoutMs)
    return true
  } catch (error) {
    console.warn(
      JSON.stringify({
        level: 'warn',
        event: 'live.push-failed',
        userId,
        type: event.type,
        error: safeErrorText(error),
      }),
    )
    return false
  }
}

/** `work`, or a rejection once `ms` have passed without an answer. */
async function withinTime<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from the hub within ${ms} ms`)), ms)
  })
  try {
    return await Promise.race([work, timeout])
  } finally {
    clearTimeout(timer)
  }
}

/** How long a revocation waits for the hub before it gives up on closing sockets. */
export const CLOSE_TIMEOUT_MS = 2000

/**
 * Closes the live sockets of a member's sessions — the ones named, or all of them — when
 * those sessions end (logout, password reset, account deletion, a revoked device), so a
 * socket opened with a stolen cookie stops receiving at once. Awaited by the request that
 * revokes, so the member's next write is never pushed to a socket of a dead session. It
 * never throws and never waits longer than `timeoutMs`: a hub that cannot be reached costs
 * a log line (its sockets still end at their session's expiry, within a day). True when
 * the hub did it.
 */
export async function closeLiveSessions(
  env: Pick<Bindings, 'MEMBER_HUB'>,
  userId: number,
  sessionIds: readonly string[] | 'all',
  timeoutMs = CLOSE_TIMEOUT_MS,
): Promise<boolean> {
  const hubs = env.MEMBER_HUB
  if (!hubs) return false
  if (sessionIds !== 'all' && sessionIds.length === 0) return true
  try {
    await withinTime(hubs.getByName(String(userId)).closeSessions(sessionIds), timeoutMs)
    return true
  } catch (error) {
    console.warn(JSON.stringify({ level: 'warn', event: 'live.close-failed', userId, error: safeErrorText(error) }))
    return false
  }
}

/**
 * The member's account is deleted: their hub closes every socket and forgets everything it
 * stored (an export's last state, its download link included) and keeps nothing after.
 * Bounded in time and never throws, like closeLiveSessions. True when the hub did it.
 */
export async function forgetLiveMember(
  env: Pick<Bindings, 'MEMBER_HUB'>,
  userId: number,
  timeoutMs = CLOSE_TIMEOUT_MS,
): Promise<boolean> {
  const hubs = env.MEMBER_HUB
  if (!hubs) return false
  try {
    await withinTime(hubs.getByName(String(userId)).forget(), timeoutMs)
    return true
  } catch (error) {
    console.warn(JSON.stringify({ level: 'warn', event: 'live.forget-failed', userId, error: safeErrorText(error) }))
    return false
  }
}
