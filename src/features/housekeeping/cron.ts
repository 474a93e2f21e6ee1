import { createPrimaryDb, type Db } from '../../db/client'
import { IDEMPOTENCY_TTL_MS } from '../api/idempotency'
import type { Bindings } from '../../env'
import { deleteR2Prefix, exportPrefix, sweepExportsOfDeletedMembers } from '../data/jobs/export-files'
import { pushJobProgress } from '../data/jobs/progress-push'
import { jobRetryBaseSeconds } from '../data/jobs/consumer'
import {
  DELETION_ALERT_AFTER_MS,
  enqueueJob,
  failJob,
  jobRetryDelaySeconds,
  listDeletionsWithoutProgress,
  listStalledDeletions,
  listStuckExports,
  requeueDeletion,
  STUCK_AFTER_MS,
} from '../data/jobs/queries'
import { alertAdminsOfStalledDeletion } from '../email/admin-alerts'

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
    // Done only: a deletion that is not done still has data to remove (requeueStalledDeletions).
    await pruneTable(
      env,
      'finished-deletions',
      'jobs',
      "kind = 'delete-account' AND state = 'done' AND updated_at < ?",
      [now - 30 * DAY],
    ),
    await pruneExports(env, now),
    await sweepExportFolders(env),
    await dailyRequeue(env, now),
  ]
}

/** Export files of members deleted or being deleted, found by folder (export-files.ts). */
async function sweepExportFolders(env: Bindings): Promise<PruneSummary> {
  const started = Date.now()
  const deleted = await sweepExportsOfDeletedMembers(env, createPrimaryDb(env.DB), PRUNE_MAX_CHUNKS)
  return summary({ what: 'export-files-of-deleted', deleted, chunks: 1, ms: Date.now() - started })
}

async function dailyRequeue(env: Bindings, now: number): Promise<PruneSummary> {
  const started = Date.now()
  const { requeued, chunks } = await requeueStalledDeletions(env, now)
  return summary({ what: 'stalled-deletions', deleted: requeued, chunks, ms: Date.now() - started })
}

/**
 * Account deletions that stopped: not moved for 10 minutes beyond the wait before their next
 * retry (a lost message, a slice that died with its isolate), and those failed for good
 * before deletions retried for ever. Each is queued again, its attempt counted (so the next
 * wait is longer). Run every 5 minutes and by the daily run.
 */
export async function requeueStalledDeletions(
  env: Bindings,
  now = Date.now(),
): Promise<{ requeued: number; chunks: number }> {
  const db: Db = createPrimaryDb(env.DB)
  const base = jobRetryBaseSeconds(env)
  let requeued = 0
  let chunks = 0
  let after = 0
  while (chunks < PRUNE_MAX_CHUNKS) {
    const stalled = await listStalledDeletions(db, now - STUCK_AFTER_MS, after, 100)
    chunks += 1
    for (const job of stalled) {
      after = job.id
      const wait = jobRetryDelaySeconds(job.attempts, job.kind, base) * 1000
      if (job.state !== 'failed' && now - job.updatedAt < STUCK_AFTER_MS + wait) continue
      if (!(await requeueDeletion(db, job, now))) continue
      await enqueueJob(env.JOBS_QUEUE, job.id)
      requeued += 1
    }
    if (stalled.length < 100) break
  }
  return { requeued, chunks }
}

/** Tells the admins of each deletion that has finished no chunk for a day (once a day each). */
async function alertStalledDeletions(env: Bindings, now: number): Promise<number> {
  const db: Db = createPrimaryDb(env.DB)
  const stalled = await listDeletionsWithoutProgress(db, now - DELETION_ALERT_AFTER_MS, 20)
  for (const job of stalled) {
    let phase = 'followers'
    try {
      phase = String((JSON.parse(job.cursor ?? '{}') as { phase?: unknown }).phase ?? phase)
    } catch {
      // A cursor that is not JSON: the default step.
    }
    await alertAdminsOfStalledDeletion(env, { ...job, phase }, now)
  }
  return stalled.length
}

/**
 * Jobs that have not moved for 10 minutes. An export is marked failed (the member sees why
 * and can try again, resuming from its last chunk). An account deletion cannot be retried
 * by its member (who is logged out), so it is queued again, for as long as it takes; the
 * admins hear of one that has finished no chunk for a day.
 */
export async function checkStuckJobs(env: Bindings, now = Date.now()): Promise<PruneSummary> {
  const started = Date.now()
  const db: Db = createPrimaryDb(env.DB)
  let failed = 0
  let chunks = 0
  while (chunks < PRUNE_MAX_CHUNKS) {
    const stuck = await listStuckExports(db, now - STUCK_AFTER_MS, 100)
    chunks += 1
    for (const job of stuck) {
      await failJob(db, job.id, 'jobs.errorStuck', now)
      failed += 1
      // An open page turns to Failed with "Try again" at once (exports; never throws).
      await pushJobProgress(env, { ...job, state: 'failed', error: 'jobs.errorStuck', updatedAt: now, finishedAt: now })
    }
    if (stuck.length < 100) break
  }
  const { requeued } = await requeueStalledDeletions(env, now)
  const alerted = await alertStalledDeletions(env, now)
  console.log(
    JSON.stringify({
      level: 'info',
      event: 'housekeeping',
      what: 'stuck-jobs',
      failed,
      requeued,
      alerted,
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
