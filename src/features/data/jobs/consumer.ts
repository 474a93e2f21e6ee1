import { z } from 'zod'
import { createPrimaryDb } from '../../../db/client'
import { safeErrorText } from '../../../db/errors'
import type { Bindings } from '../../../env'
import { pushJobProgress } from './progress-push'
import {
  enqueueJob,
  failJob,
  getJob,
  jobRetryDelaySeconds,
  recordJobAttemptFailed,
  type FailedAttempt,
} from './queries'
import { runJobSlice } from './runner'

/** Queue names as declared in wrangler.toml (the same in every environment). */
export const JOBS_QUEUE_NAME = 'microblog-jobs'
export const JOBS_DLQ_NAME = 'microblog-jobs-dlq'

/** A job message: the id, nothing else (the job's data stays in D1). */
const jobMessageSchema = z.strictObject({ jobId: z.number().int().positive() })

function log(level: 'info' | 'warn' | 'error', event: string, fields: Record<string, unknown>): void {
  const line = JSON.stringify({ level, event, ...fields })
  if (level === 'error') console.error(line)
  else if (level === 'warn') console.warn(line)
  else console.log(line)
}

/** The first retry's wait: `JOB_RETRY_BASE_SECONDS` when set to a sane number, else 10. */
export function jobRetryBaseSeconds(env: Bindings): number {
  const value = Number(env.JOB_RETRY_BASE_SECONDS ?? 10)
  return Number.isFinite(value) && value >= 0 ? Math.min(value, 300) : 10
}

/**
 * Runs one slice per message. Unfinished → the next slice is queued and this message acked;
 * an error → the job's attempt counter goes up and the job is retried after a wait (it
 * resumes from its last saved chunk). An export is failed after MAX_JOB_ATTEMPTS. A
 * deletion retries for as long as it takes: each retry is a fresh message, delayed, so the
 * platform's own retry limit (and its dead-letter queue) never gives it up.
 */
export async function handleJobsBatch(batch: MessageBatch<unknown>, env: Bindings): Promise<void> {
  const db = createPrimaryDb(env.DB)
  for (const message of batch.messages) {
    const parsed = jobMessageSchema.safeParse(message.body)
    if (!parsed.success) {
      log('error', 'job.invalid-message', { id: message.id })
      message.ack()
      continue
    }
    const { jobId } = parsed.data
    try {
      const outcome = await runJobSlice(env, jobId)
      if (outcome === 'more') await enqueueJob(env.JOBS_QUEUE, jobId)
      log('info', 'job.slice', { jobId, outcome, attempts: message.attempts })
      message.ack()
    } catch (error) {
      const base = jobRetryBaseSeconds(env)
      // 'unknown': the count itself could not be written (D1 unreachable): retry the message.
      const attempt: FailedAttempt | null | 'unknown' = await recordJobAttemptFailed(db, jobId).catch(
        () => 'unknown' as const,
      )
      const state = attempt === 'unknown' ? 'unknown' : (attempt?.state ?? 'over')
      // No SQL and no bound parameters: a D1 error is told by its cause (see safeError).
      log('warn', 'job.slice-failed', { jobId, state, attempts: message.attempts, error: safeErrorText(error) })
      if (attempt === 'unknown') {
        message.retry({ delaySeconds: jobRetryDelaySeconds(message.attempts, 'export', base) })
      } else if (attempt === null || attempt.state === 'failed') {
        // The member's page shows why and "Try again" (the push never throws).
        await pushJobProgress(env, await getJob(db, jobId).catch(() => null))
        message.ack()
      } else if (attempt.kind === 'delete-account') {
        const delaySeconds = jobRetryDelaySeconds(attempt.attempts, attempt.kind, base)
        try {
          await enqueueJob(env.JOBS_QUEUE, jobId, delaySeconds)
          message.ack()
        } catch {
          message.retry({ delaySeconds })
        }
      } else message.retry({ delaySeconds: jobRetryDelaySeconds(message.attempts, attempt.kind, base) })
    }
  }
}

/**
 * A job message that failed every retry of the platform: an export is failed, in plain
 * words; a deletion is queued again after its wait (a deletion never fails).
 */
export async function handleJobsDeadLetterBatch(batch: MessageBatch<unknown>, env: Bindings): Promise<void> {
  const db = createPrimaryDb(env.DB)
  for (const message of batch.messages) {
    const parsed = jobMessageSchema.safeParse(message.body)
    const jobId = parsed.success ? parsed.data.jobId : null
    if (jobId !== null) {
      try {
        const job = await getJob(db, jobId)
        if (job?.kind === 'delete-account' && (job.state === 'queued' || job.state === 'running')) {
          const delaySeconds = jobRetryDelaySeconds(job.attempts, job.kind, jobRetryBaseSeconds(env))
          await enqueueJob(env.JOBS_QUEUE, job.id, delaySeconds)
          log('warn', 'job.dead-letter-requeued', { id: message.id, jobId, delaySeconds })
          message.ack()
          continue
        }
        await failJob(db, jobId, 'jobs.errorRepeated')
        await pushJobProgress(env, await getJob(db, jobId))
      } catch (error) {
        // Logged here, redacted, rather than thrown to the runtime with the query in it.
        log('warn', 'job.dead-letter-failed', { id: message.id, jobId, error: safeErrorText(error) })
        message.retry({ delaySeconds: jobRetryDelaySeconds(message.attempts, 'export', jobRetryBaseSeconds(env)) })
        continue
      }
    }
    log('error', 'job.dead-letter', { id: message.id, jobId })
    message.ack()
  }
}
