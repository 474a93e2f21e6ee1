import { and, desc, eq, inArray, lt, sql } from 'drizzle-orm'
import type { Db } from '../../../db/client'
import { jobs, type Job } from '../../../db/schema'
import type { MessageKey } from '../../../lib/i18n'

export type JobKind = Job['kind']

/** A job that has not moved for this long is stuck: the housekeeping run marks it failed. */
export const STUCK_AFTER_MS = 10 * 60 * 1000
/** Attempts (failed slices) before a job is given up and shown as failed. */
export const MAX_JOB_ATTEMPTS = 5

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
    .set({ cursor: JSON.stringify(progress.cursor), done: progress.done, total: progress.total, updatedAt: now })
    .where(and(eq(jobs.id, id), eq(jobs.state, 'running')))
    .returning({ id: jobs.id })
  return rows.length > 0
}

export async function finishJob(
  db: Db,
  id: number,
  file: { fileKey: string; fileSize: number; expiresAt: number } | null,
  now = Date.now(),
): Promise<void> {
  await db
    .update(jobs)
    .set({ state: 'done', error: null, updatedAt: now, finishedAt: now, ...(file ?? {}) })
    .where(eq(jobs.id, id))
}

/** Counts a failed slice; after MAX_JOB_ATTEMPTS the job is failed. Returns the new state. */
export async function recordJobAttemptFailed(db: Db, id: number, now = Date.now()): Promise<'running' | 'failed'> {
  const row = await db.get<{ state: 'running' | 'failed' } | undefined>(sql`
    UPDATE jobs SET attempts = attempts + 1, updated_at = ${now},
      state = CASE WHEN attempts + 1 >= ${MAX_JOB_ATTEMPTS} THEN 'failed' ELSE state END,
      error = CASE WHEN attempts + 1 >= ${MAX_JOB_ATTEMPTS} THEN 'jobs.errorRepeated' ELSE error END,
      finished_at = CASE WHEN attempts + 1 >= ${MAX_JOB_ATTEMPTS} THEN ${now} ELSE finished_at END
    WHERE id = ${id} AND state IN ('queued', 'running')
    RETURNING state`)
  return row?.state ?? 'failed'
}

export async function failJob(db: Db, id: number, error: MessageKey, now = Date.now()): Promise<void> {
  await db
    .update(jobs)
    .set({ state: 'failed', error, updatedAt: now, finishedAt: now })
    .where(and(eq(jobs.id, id), inArray(jobs.state, ['queued', 'running'])))
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

/** Jobs that made no progress since `before` (index `jobs_state_updated_idx`), a chunk at a time. */
export async function listStuckJobs(db: Db, before: number, limit: number): Promise<Job[]> {
  return db
    .select()
    .from(jobs)
    .where(and(inArray(jobs.state, ['queued', 'running']), lt(jobs.updatedAt, before)))
    .limit(limit)
}

/** Enqueues one slice of a job. The message is the id and nothing else. */
export async function enqueueJob(queue: Queue<unknown>, jobId: number, delaySeconds = 0): Promise<void> {
  await queue.send({ jobId }, { contentType: 'json', ...(delaySeconds ? { delaySeconds } : {}) })
}
