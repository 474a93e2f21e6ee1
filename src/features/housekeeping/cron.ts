import { createPrimaryDb, type Db } from '../../db/client'
import { IDEMPOTENCY_TTL_MS } from '../api/idempotency'
import type { Bindings } from '../../env'
import { deleteR2Prefix } from '../data/jobs/export-files'
import { exportPrefix } from '../data/jobs/export'
import { pushJobProgress } from '../data/jobs/progress-push'
import { enqueueJob, failJob, listStuckJobs, MAX_JOB_ATTEMPTS, STUCK_AFTER_MS } from '../data/jobs/queries'

/** The Cron Triggers in wrangler.toml. */
export const DAILY_CRON = '17 3 * * *'
export const STUCK_JOBS_CRON = '*/5 * * * *'

/** Rows per DELETE, and at most this many chunks per table per run (the rest waits a day). */
export const PRUNE_CHUNK_ROWS = 500
export const PRUNE_MAX_CHUNKS = 200

const DAY = 24 * 60 * 60 * 1000

export type PruneSummary = { what: string; deleted: number; chunks: number; ms: number }

function summary(line: PruneSummary): PruneSummary {
  console.log(JSON.stringify({ level: 'info', event: 'housekeeping', ...line }))
  return line
}

/**
 * Deletes the rows of `table` matching `where` (SQL with `?` placeholders, which should use
 * an index), 500 at a time, and logs one summary line.
 */
async function pruneTable(
  env: Bindings,
  what: string,
  table: string,
  where: string,
  params: unknown[],
  order = '',
): Promise<PruneSummary> {
  const started = Date.now()
  const statement = env.DB.prepare(
    `DELETE FROM ${table} WHERE rowid IN (SELECT rowid FROM ${table} WHERE ${where} ${order} LIMIT ${PRUNE_CHUNK_ROWS})`,
  ).bind(...params)
  let deleted = 0
  let chunks = 0
  while (chunks < PRUNE_MAX_CHUNKS) {
    const result = await statement.run()
    chunks += 1
    deleted += result.meta.changes
    if (result.meta.changes < PRUNE_CHUNK_ROWS) break
  }
  return summary({ what, deleted, chunks, ms: Date.now() - started })
}

/** Finished exports past their 7 days (and failed ones as old): the R2 files, then the rows. */
async function pruneExports(env: Bindings, now: number): Promise<PruneSummary> {
  const started = Date.now()
  let deleted = 0
  let chunks = 0
  while (chunks < PRUNE_MAX_CHUNKS) {
    const { results } = await env.DB.prepare(
      `SELECT id, user_id AS userId FROM jobs WHERE kind = 'export' AND (expires_at < ?1
         OR (state = 'failed' AND expires_at IS NULL AND updated_at < ?2)) LIMIT 100`,
    )
      .bind(now, now - 7 * DAY)
      .all<{ id: number; userId: number }>()
    chunks += 1
    for (const job of results) {
      await deleteR2Prefix(env.EXPORTS, exportPrefix(job))
      await env.DB.prepare('DELETE FROM jobs WHERE id = ?').bind(job.id).run()
      deleted += 1
    }
    if (results.length < 100) break
  }
  return summary({ what: 'exports', deleted, chunks, ms: Date.now() - started })
}

/** Everything the daily run prunes, each in bounded chunks with one summary line. */
export async function runDailyPrunes(env: Bindings, now = Date.now()): Promise<PruneSummary[]> {
  return [
    await pruneTable(env, 'sessions', 'sessions', 'expires_at < ?', [now]),
    await pruneTable(env, 'api-tokens', 'api_tokens', 'expires_at < ?', [now]),
    await pruneTable(env, 'idempotency-keys', 'api_idempotency_keys', 'created_at <= ?', [now - IDEMPOTENCY_TTL_MS]),
    await pruneTable(env, 'rate-limits', 'rate_limits', 'reset_at < ?', [now]),
    await pruneTable(env, 'reset-tokens', 'password_reset_tokens', 'expires_at < ? OR used_at IS NOT NULL', [now]),
    await pruneTable(env, 'email-change-tokens', 'email_change_tokens', 'expires_at < ? OR used_at IS NOT NULL', [now]),
    await pruneTable(env, 'sent-emails', 'sent_emails', 'sent_at < ?', [now - 30 * DAY]),
    // Keep the newest 200 of the development outbox.
    await pruneTable(
      env,
      'dev-outbox',
      'dev_outbox',
      'id NOT IN (SELECT id FROM dev_outbox ORDER BY created_at DESC, id DESC LIMIT 200)',
      [],
    ),
    await pruneTable(env, 'admin-alerts', 'admin_alerts', 'last_sent_at < ?', [now - 30 * DAY]),
    await pruneTable(env, 'dead-letters', 'email_dead_letters', 'created_at < ?', [now - 90 * DAY]),
    await pruneTable(env, 'reserved-usernames', 'reserved_usernames', 'until < ?', [now]),
    await pruneTable(
      env,
      'finished-deletions',
      'jobs',
      "kind = 'delete-account' AND state IN ('done', 'failed') AND updated_at < ?",
      [now - 30 * DAY],
    ),
    await pruneExports(env, now),
  ]
}

/**
 * Jobs that have not moved for 10 minutes. An export is marked failed (the member sees why
 * and can try again, resuming from its last chunk). An account deletion cannot be retried
 * by its member (who is logged out), so it is queued again until it has failed too often.
 */
export async function checkStuckJobs(env: Bindings, now = Date.now()): Promise<PruneSummary> {
  const started = Date.now()
  const db: Db = createPrimaryDb(env.DB)
  let failed = 0
  let requeued = 0
  let chunks = 0
  while (chunks < PRUNE_MAX_CHUNKS) {
    const stuck = await listStuckJobs(db, now - STUCK_AFTER_MS, 100)
    chunks += 1
    for (const job of stuck) {
      if (job.kind === 'delete-account' && job.attempts + 1 < MAX_JOB_ATTEMPTS) {
        await env.DB.prepare(
          "UPDATE jobs SET state = 'queued', attempts = attempts + 1, updated_at = ? WHERE id = ? AND state IN ('queued', 'running')",
        )
          .bind(now, job.id)
          .run()
        await enqueueJob(env.JOBS_QUEUE, job.id)
        requeued += 1
      } else {
        await failJob(db, job.id, 'jobs.errorStuck', now)
        failed += 1
        // An open page turns to Failed with "Try again" at once (exports; never throws).
        await pushJobProgress(env, {
          ...job,
          state: 'failed',
          error: 'jobs.errorStuck',
          updatedAt: now,
          finishedAt: now,
        })
      }
    }
    if (stuck.length < 100) break
  }
  console.log(
    JSON.stringify({
      level: 'info',
      event: 'housekeeping',
      what: 'stuck-jobs',
      failed,
      requeued,
      ms: Date.now() - started,
    }),
  )
  return { what: 'stuck-jobs', deleted: failed + requeued, chunks, ms: Date.now() - started }
}

/** The `scheduled()` entry point: which work runs depends on the cron that fired. */
export async function handleScheduled(controller: ScheduledController, env: Bindings): Promise<void> {
  // A number in production; the test helpers may hand a Date.
  const scheduled = Number(controller.scheduledTime as number | Date)
  const now = Number.isFinite(scheduled) && scheduled > 0 ? scheduled : Date.now()
  if (controller.cron === STUCK_JOBS_CRON) {
    await checkStuckJobs(env, now)
    return
  }
  await runDailyPrunes(env, now)
}
