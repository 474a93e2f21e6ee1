import { and, asc, desc, eq, gt, inArray, isNull, lt, ne, or, sql } from 'drizzle-orm'
import type { Db } from '../../../db/client'
import { uniqueViolation } from '../../../db/errors'
import { jobs, type Job } from '../../../db/schema'
import type { MessageKey } from '../../../lib/i18n'

export type JobKind = Job['kind']

/**
 * A job that has not moved for this long (beyond the wait before its next retry) is stuck:
 * the housekeeping run marks an export failed and queues a deletion again.
 */
export const STUCK_AFTER_MS = 10 * 60 * 1000
/**
 * Attempts (failed slices) before an export is given up and shown as failed, with "Try
 * again". An account deletion is never given up: its member is logged out and cannot try
 * again, and what it has not removed yet is still theirs. It retries with longer and longer
 * waits, and the admins hear of one that has not progressed for a day.
 */
export const MAX_JOB_ATTEMPTS = 5
/** A deletion that has not finished a chunk for this long is reported to the admins. */
export const DELETION_ALERT_AFTER_MS = 24 * 60 * 60 * 1000

/** Wait before retrying a failed slice: `base` (10 s), doubling, capped at 5 minutes for an
 * export and an hour for a deletion (which retries for as long as it takes). */
export function jobRetryDelaySeconds(attempts: number, kind: JobKind = 'export', base = 10): number {
  const cap = kind === 'delete-account' ? 3600 : 300
  return Math.min(base * 2 ** Math.max(0, attempts - 1), cap)
}

export type StartJobResult = { ok: true; job: Job } | { ok: false; reason: 'running' | 'daily-limit' }

/**
 * Creates a queued job, unless the member already has one of this kind queued or running
 * (the partial unique index `jobs_one_active_idx` decides, so two simultaneous requests
 * cannot both win) or has started `dailyLimit` of this kind in the last 24 hours (counted
 * in the same INSERT … SELECT statement, so the check and the insert cannot interleave).
 */
export async function startJob(
  db: Db,
  input: { userId: number; kind: JobKind; cursor: unknown; dailyLimit?: number },
  now = Date.now(),
): Promise<StartJobResult> {
  const limit = input.dailyLimit ?? 1_000_000
  const cursor = JSON.stringify(input.cursor)
  const row = await db.get<Job | undefined>(sql`
    INSERT INTO jobs (user_id, kind, state, cursor, created_at, updated_at)
    SELECT ${input.userId}, ${input.kind}, 'queued', ${cursor}, ${now}, ${now}
    WHERE (SELECT count(*) FROM jobs WHERE user_id = ${input.userId} AND kind = ${input.kind}
             AND created_at > ${now - 24 * 60 * 60 * 1000}) < ${limit}
    ON CONFLICT DO NOTHING
    RETURNING id`)
  if (row && typeof (row as { id?: number }).id === 'number') {
    const job = await getJob(db, (row as { id: number }).id)
    if (job) return { ok: true, job }
  }
  return { ok: false, reason: (await getActiveJob(db, input.userId, input.kind)) ? 'running' : 'daily-limit' }
}

export async function getJob(db: Db, id: number): Promise<Job | null> {
  return (await db.select().from(jobs).where(eq(jobs.id, id)).get()) ?? null
}

/** A member's job by id, or null when it is someone else's (→ 404, not 403). */
export async function getUserJob(db: Db, userId: number, id: number): Promise<Job | null> {
  return (
    (await db
      .select()
      .from(jobs)
      .where(and(eq(jobs.id, id), eq(jobs.userId, userId)))
      .get()) ?? null
  )
}

export async function getActiveJob(db: Db, userId: number, kind: JobKind): Promise<Job | null> {
  return (
    (await db
      .select()
      .from(jobs)
      .where(and(eq(jobs.userId, userId), eq(jobs.kind, kind), inArray(jobs.state, ['queued', 'running'])))
      .get()) ?? null
  )
}

/** The member's recent jobs of one kind, newest first. */
export async function listUserJobs(db: Db, userId: number, kind: JobKind, limit = 10): Promise<Job[]> {
  return db
    .select()
    .from(jobs)
    .where(and(eq(jobs.userId, userId), eq(jobs.kind, kind)))
    .orderBy(desc(jobs.createdAt), desc(jobs.id))
    .limit(limit)
}

/** queued → running (a retried slice finds it running already). False if it is over. */
export async function markJobRunning(db: Db, id: number, now = Date.now()): Promise<boolean> {
  const rows = await db
    .update(jobs)
    .set({ state: 'running', updatedAt: now })
    .where(and(eq(jobs.id, id), inArray(jobs.state, ['queued', 'running'])))
    .returning({ id: jobs.id })
  return rows.length > 0
}

/**
 * Saves a finished chunk: where to resume and how far along it is. Guarded by the state, so a
 * job the stuck check failed meanwhile is not revived by a late slice; false tells it to stop.
 */
export async function saveJobProgress(
  db: Db,
  id: number,
  progress: { cursor: unknown; done: number; total: number },
  now = Date.now(),
): Promise<boolean> {
  const rows = await db
    .update(jobs)
    .set({
      cursor: JSON.stringify(progress.cursor),
      done: progress.done,
      total: progress.total,
      updatedAt: now,
      progressAt: now,
    })
    .where(and(eq(jobs.id, id), eq(jobs.state, 'running')))
    .returning({ id: jobs.id })
  return rows.length > 0
}

/**
 * Marks a job done (with its file, for an export). False when it was stopped meanwhile
 * (an export cancelled by its owner's deletion): the caller discards what it made.
 */
export async function finishJob(
  db: Db,
  id: number,
  file: { fileKey: string; fileSize: number; expiresAt: number } | null,
  now = Date.now(),
): Promise<boolean> {
  const rows = await db
    .update(jobs)
    .set({ state: 'done', error: null, updatedAt: now, finishedAt: now, progressAt: now, ...(file ?? {}) })
    .where(and(eq(jobs.id, id), inArray(jobs.state, ['queued', 'running'])))
    .returning({ id: jobs.id })
  return rows.length > 0
}

export type FailedAttempt = { state: 'running' | 'failed'; kind: JobKind; attempts: number }

/**
 * Counts a failed slice. An export is failed after MAX_JOB_ATTEMPTS; a deletion stays
 * running, whatever the count. Null when the job is over (done, failed or removed).
 */
export async function recordJobAttemptFailed(db: Db, id: number, now = Date.now()): Promise<FailedAttempt | null> {
  const giveUp = sql`kind = 'export' AND attempts + 1 >= ${MAX_JOB_ATTEMPTS}`
  const row = await db.get<FailedAttempt | undefined>(sql`
    UPDATE jobs SET attempts = attempts + 1, updated_at = ${now},
      state = CASE WHEN ${giveUp} THEN 'failed' ELSE state END,
      error = CASE WHEN ${giveUp} THEN 'jobs.errorRepeated' ELSE error END,
      finished_at = CASE WHEN ${giveUp} THEN ${now} ELSE finished_at END
    WHERE id = ${id} AND state IN ('queued', 'running')
    RETURNING state, kind, attempts`)
  return row ?? null
}

/** Fails an export (stuck, or lost to the dead-letter queue). A deletion is never failed. */
export async function failJob(db: Db, id: number, error: MessageKey, now = Date.now()): Promise<void> {
  await db
    .update(jobs)
    .set({ state: 'failed', error, updatedAt: now, finishedAt: now })
    .where(and(eq(jobs.id, id), ne(jobs.kind, 'delete-account'), inArray(jobs.state, ['queued', 'running'])))
}

/**
 * "Try again": a failed job goes back to queued with its cursor kept, so it resumes from
 * the last finished chunk. Refused (false) when it is not failed or another one is active.
 */
export async function requeueFailedJob(db: Db, userId: number, id: number, now = Date.now()): Promise<boolean> {
  try {
    const rows = await db
      .update(jobs)
      .set({ state: 'queued', attempts: 0, error: null, updatedAt: now, finishedAt: null })
      .where(and(eq(jobs.id, id), eq(jobs.userId, userId), eq(jobs.state, 'failed')))
      .returning({ id: jobs.id })
    return rows.length > 0
  } catch (error) {
    if (String((error as Error)?.message).includes('UNIQUE')) return false
    throw error
  }
}

/** Exports that have not moved since `before` (index `jobs_state_updated_idx`), a chunk at a time. */
export async function listStuckExports(db: Db, before: number, limit: number): Promise<Job[]> {
  return db
    .select()
    .from(jobs)
    .where(and(inArray(jobs.state, ['queued', 'running']), lt(jobs.updatedAt, before), eq(jobs.kind, 'export')))
    .limit(limit)
}

/** An account deletion not done yet (failed ones included: see listStalledDeletions). */
const unfinishedDeletion = and(eq(jobs.kind, 'delete-account'), inArray(jobs.state, ['queued', 'running', 'failed']))

/**
 * Account deletions that have not moved since `before`, by id after `afterId` (the caller
 * skips those still waiting for a retry, so it pages on). Failed ones are included: before
 * deletions retried for ever, five failures failed one for good.
 */
export async function listStalledDeletions(db: Db, before: number, afterId: number, limit: number): Promise<Job[]> {
  return db
    .select()
    .from(jobs)
    .where(and(unfinishedDeletion, lt(jobs.updatedAt, before), gt(jobs.id, afterId)))
    .orderBy(asc(jobs.id))
    .limit(limit)
}

/**
 * Queues a stalled deletion again (the caller sends its message), counting the attempt, so
 * the next wait is longer. False when it moved meanwhile (another run took it) or finished.
 */
export async function requeueDeletion(db: Db, job: Job, now = Date.now()): Promise<boolean> {
  try {
    const rows = await db
      .update(jobs)
      .set({ state: 'queued', attempts: sql`${jobs.attempts} + 1`, error: null, finishedAt: null, updatedAt: now })
      .where(
        and(
          eq(jobs.id, job.id),
          eq(jobs.kind, 'delete-account'),
          eq(jobs.updatedAt, job.updatedAt),
          inArray(jobs.state, ['queued', 'running', 'failed']),
        ),
      )
      .returning({ id: jobs.id })
    return rows.length > 0
  } catch (error) {
    // Another deletion of the member is active (jobs_one_active_idx): that one goes on.
    if (uniqueViolation(error) !== null) return false
    throw error
  }
}

/** Account deletions not done that finished no chunk since `before` (at most `limit`). */
export async function listDeletionsWithoutProgress(db: Db, before: number, limit: number): Promise<Job[]> {
  return db
    .select()
    .from(jobs)
    .where(
      and(
        unfinishedDeletion,
        or(lt(jobs.progressAt, before), and(isNull(jobs.progressAt), lt(jobs.createdAt, before))),
      ),
    )
    .orderBy(asc(jobs.id))
    .limit(limit)
}

/** Enqueues one slice of a job. The message is the id and nothing else. */
export async function enqueueJob(queue: Queue<unknown>, jobId: number, delaySeconds = 0): Promise<void> {
  await queue.send({ jobId }, { contentType: 'json', ...(delaySeconds ? { delaySeconds } : {}) })
}
