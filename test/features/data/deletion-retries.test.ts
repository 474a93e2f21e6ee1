import { createMessageBatch, createScheduledController } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it, vi } from 'vitest'
import { JOBS_DLQ_NAME } from '../../../src/features/data/jobs/consumer'
import { jobRetryDelaySeconds } from '../../../src/features/data/jobs/queries'
import { followUser } from '../../../src/features/follows/queries'
import { DAILY_CRON, requeueStalledDeletions, STUCK_JOBS_CRON } from '../../../src/features/housekeeping/cron'
import worker from '../../../src/index'
import { Client, db, loggedIn, makeUser, PASSWORD } from '../../helpers'
import { mailTo } from '../../mailbox'
import { jobRow, latestJob, waitForJob } from './job-helpers'

// A deletion cannot die half-way: it retries until done (the tests' JOB_RETRY_BASE_SECONDS
// is 0, so the waits are too), housekeeping queues again any that stalled, and the admins
// hear of one that has made no progress for a day.

const HOUR = 60 * 60 * 1000
const DAY = 24 * HOUR
const ADMIN = 'admin@microblog.test'

async function count(query: string, ...params: unknown[]): Promise<number> {
  return (await env.DB.prepare(query)
    .bind(...params)
    .first<number>('n'))!
}

/** A member marked deleted (as the confirmation does) with a deletion job in `state`. */
async function deletionJob(state: string, fields: { attempts?: number; updatedAt: number; createdAt?: number }) {
  const member = await makeUser()
  await env.DB.prepare('UPDATE users SET deleted_at = ? WHERE id = ?')
    .bind(fields.createdAt ?? 1, member.id)
    .run()
  const id = await env.DB.prepare(
    `INSERT INTO jobs (user_id, kind, state, attempts, error, cursor, created_at, updated_at, finished_at)
     VALUES (?1, 'delete-account', ?2, ?3, ?4, '{}', ?5, ?6, ?7) RETURNING id`,
  )
    .bind(
      member.id,
      state,
      fields.attempts ?? 0,
      state === 'failed' ? 'jobs.errorRepeated' : null,
      fields.createdAt ?? fields.updatedAt,
      fields.updatedAt,
      state === 'failed' ? fields.updatedAt : null,
    )
    .first<number>('id')
  return { member, id: id! }
}

async function fire(cron: string, now: number) {
  vi.spyOn(console, 'log').mockImplementation(() => {})
  await worker.scheduled(createScheduledController({ cron, scheduledTime: new Date(now) }), env)
  vi.restoreAllMocks()
}

describe('a deletion whose job keeps failing', () => {
  it('still completes after its job throws 5 times: it is never failed', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {})
    const { user, client } = await loggedIn()
    const follower = await makeUser()
    await followUser(db, follower.id, user.id)
    // A real failure in D1: removing the member's follow rows aborts until the job has
    // counted 5 failed attempts (the fifth made it `failed` for good before).
    await env.DB.prepare(
      `CREATE TRIGGER deletion_fault BEFORE DELETE ON follows
       WHEN OLD.followed_id = ${user.id}
         AND (SELECT attempts FROM jobs WHERE user_id = ${user.id} AND kind = 'delete-account') < 5
       BEGIN SELECT RAISE(ABORT, 'injected fault'); END`,
    ).run()
    try {
      const confirmed = await client.post('/settings/delete-account', { password: PASSWORD, confirm: user.username })
      expect(confirmed.status).toBe(303)
      const job = await waitForJob((await latestJob(user.id, 'delete-account')).id, 60_000)
      expect(job.state).toBe('done')
      expect(job.attempts).toBe(5)
    } finally {
      await env.DB.prepare('DROP TRIGGER deletion_fault').run()
      vi.restoreAllMocks()
    }
    expect(await count('SELECT count(*) AS n FROM users WHERE id = ?', user.id)).toBe(0)
    expect(await count('SELECT count(*) AS n FROM follows WHERE followed_id = ?', user.id)).toBe(0)
    expect(await count('SELECT following_count AS n FROM users WHERE id = ?', follower.id)).toBe(0)
  })

  it('waits longer after each failure, up to an hour (an export gives up after 5 minutes of waits)', () => {
    expect([1, 2, 3, 4, 5].map((n) => jobRetryDelaySeconds(n, 'delete-account'))).toEqual([10, 20, 40, 80, 160])
    expect(jobRetryDelaySeconds(9, 'delete-account')).toBe(2560)
    expect(jobRetryDelaySeconds(10, 'delete-account')).toBe(3600)
    expect(jobRetryDelaySeconds(50, 'delete-account')).toBe(3600)
    expect(jobRetryDelaySeconds(10, 'export')).toBe(300)
  })

  it('is queued again, not failed, when its message reaches the dead-letter queue', async () => {
    const { member, id } = await deletionJob('running', { attempts: 12, updatedAt: Date.now() })
    vi.spyOn(console, 'error').mockImplementation(() => {})
    vi.spyOn(console, 'warn').mockImplementation(() => {})
    await worker.queue(
      createMessageBatch(JOBS_DLQ_NAME, [
        { id: `dlq-${id}`, timestamp: new Date(), attempts: 11, body: { jobId: id } },
      ]),
      env,
    )
    vi.restoreAllMocks()
    expect((await jobRow(id)).state).not.toBe('failed')
    expect((await waitForJob(id)).state).toBe('done')
    expect(await count('SELECT count(*) AS n FROM users WHERE id = ?', member.id)).toBe(0)
  })
})

describe('housekeeping of deletions', () => {
  it('the daily run queues again a deletion failed for good before, and one that stalled; both finish', async () => {
    const now = Date.now()
    const failed = await deletionJob('failed', { attempts: 5, updatedAt: now - 2 * DAY })
    const stalled = await deletionJob('running', { attempts: 2, updatedAt: now - 2 * HOUR })
    await fire(DAILY_CRON, now)
    expect((await waitForJob(failed.id)).state).toBe('done')
    expect((await waitForJob(stalled.id)).state).toBe('done')
    expect(await count('SELECT count(*) AS n FROM users WHERE id IN (?, ?)', failed.member.id, stalled.member.id)).toBe(
      0,
    )
  })

  it('leaves alone a deletion waiting for its next retry, and requeues it once the wait is long over', async () => {
    const now = Date.now()
    // With the production base of 10 s, a 9th attempt waits 2,560 s (~43 minutes).
    const production = { ...env, JOB_RETRY_BASE_SECONDS: '10' } as typeof env
    const waiting = await deletionJob('running', { attempts: 9, updatedAt: now - 30 * 60 * 1000 })
    const lost = await deletionJob('running', { attempts: 9, updatedAt: now - 60 * 60 * 1000 })
    // A job the test does not want to run: queued again here, the consumer would finish it.
    const { requeued } = await requeueStalledDeletions(production, now)
    expect(requeued).toBe(1)
    expect((await jobRow(waiting.id)).attempts).toBe(9)
    expect((await jobRow(lost.id)).attempts).toBe(10)
    expect((await waitForJob(lost.id)).state).toBe('done')
  })

  it('tells the admins of a deletion that made no progress for a day, once a day', async () => {
    const now = Date.now()
    // Still failing (it moved a minute ago) but has finished no chunk since it began, 25 h ago.
    const stuck = await deletionJob('running', { attempts: 40, updatedAt: now - 60_000, createdAt: now - 25 * HOUR })
    const young = await deletionJob('running', { attempts: 3, updatedAt: now - 60_000, createdAt: now - 2 * HOUR })
    const subject = (id: number) => `[Microblog] Account deletion ${id} has made no progress for a day`
    const alerts = async (id: number) => (await mailTo(ADMIN)).filter((mail) => mail.subject === subject(id))

    await fire(STUCK_JOBS_CRON, now)
    const deadline = Date.now() + 20_000
    while ((await alerts(stuck.id)).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200))
    const [mail] = await alerts(stuck.id)
    expect(mail).toBeDefined()
    expect(mail!.text).toContain(`Member id: ${stuck.member.id}`)
    expect(mail!.text).toContain('Failed attempts: 40')
    // Nothing of the member but the id.
    expect(mail!.text).not.toContain(stuck.member.username)
    expect(mail!.text).not.toContain(stuck.member.email)

    expect(await alerts(young.id)).toHaveLength(0)

    // The next runs of the day send nothing more; a day later, still failing, it is said again.
    await fire(STUCK_JOBS_CRON, now + 5 * 60 * 1000)
    await env.DB.prepare('UPDATE jobs SET updated_at = ? WHERE id = ?')
      .bind(now + 25 * HOUR - 60_000, stuck.id)
      .run()
    await fire(STUCK_JOBS_CRON, now + 25 * HOUR)
    const later = Date.now() + 20_000
    while ((await alerts(stuck.id)).length < 2 && Date.now() < later) await new Promise((r) => setTimeout(r, 200))
    await new Promise((r) => setTimeout(r, 1000))
    expect(await alerts(stuck.id)).toHaveLength(2)
  })
})

describe('the confirmation still answers at once', () => {
  it('logs out and hides the member whatever the job does', async () => {
    const { user, client } = await loggedIn()
    const response = await client.post('/settings/delete-account', { password: PASSWORD, confirm: user.username })
    expect(response.status).toBe(303)
    expect((await new Client().get(`/user/${user.username}`)).status).toBe(404)
    expect((await waitForJob((await latestJob(user.id, 'delete-account')).id)).state).toBe('done')
  })
})
