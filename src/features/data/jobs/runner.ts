import { createPrimaryDb } from '../../../db/client'
import type { Job } from '../../../db/schema'
import type { Bindings } from '../../../env'
import { runDeleteAccountStep } from './delete-account'
import { runExportStep } from './export'
import { discardExportOfDeletedOwner } from './export-files'
import { pushJobProgress } from './progress-push'
import { getJob, markJobRunning, saveJobProgress } from './queries'
import type { JobContext } from './step'

/** A slice runs chunks for about this long, then re-queues the job (CPU and wall limits). */
export const SLICE_BUDGET_MS = 15_000

export type SliceOptions = {
  budgetMs?: number
  /** Tests: called after each chunk is saved (throwing here simulates a crash mid-job). */
  afterStep?: (job: Job, cursor: unknown) => void | Promise<void>
}

/**
 * Runs one slice of a job: chunk after chunk, saving the cursor and progress after each, so
 * a retry resumes from the last finished chunk. Returns `more` when the budget ran out (the
 * caller re-queues), `done`, or `gone` (the job is over: done, failed, or removed).
 */
export async function runJobSlice(
  env: Bindings,
  jobId: number,
  options: SliceOptions = {},
): Promise<'more' | 'done' | 'gone'> {
  const db = createPrimaryDb(env.DB)
  const job = await getJob(db, jobId)
  if (!job || (job.state !== 'queued' && job.state !== 'running')) return 'gone'
  const started = Date.now()
  if (!(await markJobRunning(db, jobId, started))) return 'gone'
  // Pushes to the member's live channel (exports only) are awaited, so they arrive in order;
  // they never throw and are bounded in time (PUSH_TIMEOUT_MS).
  if (job.state === 'queued') await pushJobProgress(env, { ...job, state: 'running', updatedAt: started })
  const budget = options.budgetMs ?? SLICE_BUDGET_MS
  const context: JobContext = { env, db, job }
  let cursor: unknown = job.cursor ? JSON.parse(job.cursor) : {}
  for (;;) {
    const result =
      job.kind === 'export'
        ? await runExportStep(context, cursor as Parameters<typeof runExportStep>[1])
        : await runDeleteAccountStep(context, cursor as Parameters<typeof runDeleteAccountStep>[1])
    if (result.stopped) return 'gone'
    if (result.finished) {
      await pushJobProgress(env, await getJob(db, jobId))
      return 'done'
    }
    cursor = result.cursor
    const now = Date.now()
    if (!(await saveJobProgress(db, jobId, result, now))) {
      // Stopped after this chunk was written: if by its owner's deletion, what it wrote goes.
      if (job.kind === 'export') await discardExportOfDeletedOwner(env, db, job)
      return 'gone'
    }
    await pushJobProgress(env, { ...job, state: 'running', done: result.done, total: result.total, updatedAt: now })
    await options.afterStep?.(job, cursor)
    if (Date.now() - started >= budget) return 'more'
  }
}
