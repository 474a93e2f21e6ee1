import { afterEach, describe, expect, it, vi } from 'vitest'
import { handleJobsBatch, handleJobsDeadLetterBatch } from '../../../src/features/data/jobs/consumer'
import { startJob } from '../../../src/features/data/jobs/queries'
import { db, env, makeUser } from '../../helpers'

afterEach(() => vi.restoreAllMocks())

/** Every line the consumer writes while a test runs. */
function captureLogs(): string[] {
  const lines: string[] = []
  for (const method of ['log', 'warn', 'error'] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      lines.push(args.map(String).join(' '))
    })
  }
  return lines
}

describe('the jobs consumer’s log', () => {
  it('tells a failed query by its cause only: no SQL, no bound parameters', async () => {
    const lines = captureLogs()
    const user = await makeUser()
    const started = await startJob(db, { userId: user.id, kind: 'export', cursor: {} })
    if (!started.ok) throw new Error('not started')
    // D1 refuses every change to a job (as in an outage of that table).
    await env.DB.exec(
      "CREATE TRIGGER outage_jobs BEFORE UPDATE ON jobs BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END",
    )
    try {
      const message = { id: 'm1', body: { jobId: started.job.id }, attempts: 1, ack: vi.fn(), retry: vi.fn() }
      await handleJobsBatch({ queue: 'microblog-jobs', messages: [message] } as unknown as MessageBatch<unknown>, env)
      expect(message.retry).toHaveBeenCalled()
    } finally {
      await env.DB.exec('DROP TRIGGER outage_jobs')
    }
    const failed = lines.find((line) => line.includes('job.slice-failed'))
    expect(failed).toBeDefined()
    expect(failed).toContain('disk I/O error')
    // Drizzle's own message is "Failed query: <SQL> params: <values>".
    expect(failed).not.toMatch(/Failed query|params:|update "jobs"|select /i)
  })

  it('the dead-letter consumer too: a failed query is logged by its cause and the message retried', async () => {
    const lines = captureLogs()
    const user = await makeUser()
    const started = await startJob(db, { userId: user.id, kind: 'export', cursor: {} })
    if (!started.ok) throw new Error('not started')
    await env.DB.exec(
      "CREATE TRIGGER outage_jobs BEFORE UPDATE ON jobs BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END",
    )
    const message = { id: 'm2', body: { jobId: started.job.id }, attempts: 1, ack: vi.fn(), retry: vi.fn() }
    try {
      await handleJobsDeadLetterBatch(
        { queue: 'microblog-jobs-dlq', messages: [message] } as unknown as MessageBatch<unknown>,
        env,
      )
    } finally {
      await env.DB.exec('DROP TRIGGER outage_jobs')
    }
    expect(message.retry).toHaveBeenCalled()
    expect(message.ack).not.toHaveBeenCalled()
    const failed = lines.find((line) => line.includes('job.dead-letter-failed'))
    expect(failed).toContain('disk I/O error')
    expect(failed).not.toMatch(/Failed query|params:|update "jobs"/i)
  })
})
