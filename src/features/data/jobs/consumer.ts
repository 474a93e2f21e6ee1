import { z } from 'zod'
import { createPrimaryDb } from '../../../db/client'
import { safeErrorText } from '../../../db/errors'
import type { Bindings } from '../../../env'
import { pushJobProgress } from './progress-push'
import { enqueueJob, failJob, getJob, recordJobAttemptFailed } from './queries'
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

/** Wait before retrying a failed slice: 10 s, 20 s, 40 s… capped at 5 minutes. */
export function jobRetryDelaySeconds(attempts: number): number {
  return Math.min(10 * 2 ** Math.max(0, attempts - 1), 300)
}

/**
 * Runs one slice per message. Unfinished → the next slice is queued and this message acked;
 * an error → the job's attempt counter goes up and the message is retried (the job resumes
 * from its last saved chunk), until the job is failed after MAX_JOB_ATTEMPTS.
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
      const state = await recordJobAttemptFailed(db, jobId).catch(() => 'running' as const)
      // No SQL and no bound parameters: a D1 error is told by its cause (see safeError).
      log('warn', 'job.slice-failed', { jobId, state, attempts: message.attempts, error: safeErrorText(error) })
      if (state === 'failed') {
        // The member's page shows why and "Try again" (the push never throws).
        await pushJobProgress(env, await getJob(db, jobId).catch(() => null))
        message.ack()
      } else message.retry({ delaySeconds: jobRetryDelaySeconds(message.attempts) })
    }
  }
}

/** A job message that failed every retry of the platform: its job is failed, in plain words. */
export async function handleJobsDeadLetterBatch(batch: MessageBatch<unknown>, env: Bindings): Promise<void> {
  const db = createPrimaryDb(env.DB)
  for (const message of batch.messages) {
    const parsed = jobMessageSchema.safeParse(message.body)
    const jobId = parsed.success ? parsed.data.jobId : null
    if (jobId !== null) {
      try {
        await failJob(db, jobId, 'jobs.errorRepeated')
        await pushJobProgress(env, await getJob(db, jobId))
      } catch (error) {
        // Logged here, redacted, rather than thrown to the runtime with the query in it.
        log('warn', 'job.dead-letter-failed', { id: message.id, jobId, error: safeErrorText(error) })
        message.retry({ delaySeconds: jobRetryDelaySeconds(message.attempts) })
        continue
      }
    }
    log('error', 'job.dead-letter', { id: message.id, jobId })
    message.ack()
  }
}
