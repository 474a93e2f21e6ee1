import { runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it, vi } from 'vitest'
import { DAILY_CRON } from '../../../src/features/housekeeping/cron'
import { runJobSlice } from '../../../src/features/data/jobs/runner'
import { startJob } from '../../../src/features/data/jobs/queries'
import { followUser } from '../../../src/features/follows/queries'
import { notifyMemberNow } from '../../../src/features/live/notify'
import { createScheduledController } from 'cloudflare:test'
import worker from '../../../src/index'
import type { Job } from '../../../src/db/schema'
import { db, loggedIn, makeUser, PASSWORD } from '../../helpers'
import { mailTo } from '../../mailbox'
import { jobRow, latestJob, seedPosts, waitForJob } from './job-helpers'

// Exports die with their owner: confirming a deletion stops a running export, nothing it
// writes afterwards survives in R2, no "your data is ready" email goes out, and the
// member's hub forgets the export state it kept. The export is driven slice by slice here
// (runJobSlice), so the deletion can be confirmed exactly between two of its chunks.

async function files(userId: number): Promise<string[]> {
  return (await env.EXPORTS.list({ prefix: `exports/${userId}/` })).objects.map((object) => object.key)
}

/** The export state the member's hub keeps for pages that connect late (null: none). */
function keptExport(userId: number) {
  return runInDurableObject(env.MEMBER_HUB.getByName(String(userId)), (_hub, state) => state.storage.get('export'))
}

async function startExport(userId: number): Promise<Job> {
  const started = await startJob(db, { userId, kind: 'export', cursor: { origin: 'http://localhost' } })
  if (!started.ok) throw new Error('no export')
  return started.job
}

/** Blocks the member's deletion job in D1 (its first step aborts) until the returned function is called. */
async function blockDeletion(userId: number): Promise<() => Promise<void>> {
  const follower = await makeUser()
  await followUser(db, follower.id, userId)
  const name = `block_deletion_${userId}`
  await env.DB.prepare(
    `CREATE TRIGGER ${name} BEFORE DELETE ON follows WHEN OLD.followed_id = ${userId}
     BEGIN SELECT RAISE(ABORT, 'held for the test'); END`,
  ).run()
  return async () => void (await env.DB.prepare(`DROP TRIGGER ${name}`).run())
}

describe('an export whose owner deletes their account', () => {
  it('leaves nothing in R2 when it writes a chunk after the deletion has finished', async () => {
    vi.spyOn(console, 'log').mockImplementation(() => {})
    const { user, client } = await loggedIn()
    await seedPosts(user.id, 1200)
    const job = await startExport(user.id)
    let confirmed = false
    const outcome = await runJobSlice(env, job.id, {
      afterStep: async () => {
        if (confirmed) return
        confirmed = true
        expect(await files(user.id)).not.toHaveLength(0)
        const response = await client.post('/settings/delete-account', { password: PASSWORD, confirm: user.username })
        expect(response.status).toBe(303)
        // The whole deletion runs, its sweep of the member's files included...
        expect((await waitForJob((await latestJob(user.id, 'delete-account')).id)).state).toBe('done')
        expect(await files(user.id)).toEqual([])
      },
    })
    vi.restoreAllMocks()
    // ...and the export, still in its slice, wrote its next chunk after it.
    expect(confirmed).toBe(true)
    expect(outcome).toBe('gone')
    expect(await files(user.id)).toEqual([])
  })

  it('stops at once: no archive, no "ready" email, the hub forgets it, while the deletion is still running', async () => {
    vi.spyOn(console, 'log').mockImplementation(() => {})
    vi.spyOn(console, 'warn').mockImplementation(() => {})
    const { user, client } = await loggedIn()
    await seedPosts(user.id, 600)
    const release = await blockDeletion(user.id)
    const job = await startExport(user.id)
    let confirmed = false
    try {
      const outcome = await runJobSlice(env, job.id, {
        afterStep: async (_job, cursor) => {
          // Just before the archive is assembled (and the email would go out).
          if (confirmed || (cursor as { phase?: string }).phase !== 'assemble') return
          confirmed = true
          expect(await keptExport(user.id)).toMatchObject({ type: 'export', id: job.id })
          const response = await client.post('/settings/delete-account', {
            password: PASSWORD,
            confirm: user.username,
          })
          expect(response.status).toBe(303)
        },
      })
      expect(confirmed).toBe(true)
      expect(outcome).toBe('gone')
      // The deletion is held: the member's row is still there, only marked.
      expect((await latestJob(user.id, 'delete-account')).state).not.toBe('done')
      const stopped = await jobRow(job.id)
      expect(stopped).toMatchObject({ state: 'failed', error: 'jobs.errorAccountDeleted', fileKey: null })
      expect(await files(user.id)).toEqual([])
      expect(await keptExport(user.id)).toBeUndefined()
      // A push still on its way after the deletion is not kept either.
      const late = { en: '<p>late</p>', es: '<p>tarde</p>' }
      await notifyMemberNow(env, user.id, { type: 'export', id: job.id, finished: false, html: late })
      expect(await keptExport(user.id)).toBeUndefined()
      await new Promise((resolve) => setTimeout(resolve, 1500))
      expect((await mailTo(user.email)).map((mail) => mail.subject)).not.toContain('Your data is ready')
    } finally {
      await release()
    }
    expect((await waitForJob((await latestJob(user.id, 'delete-account')).id)).state).toBe('done')
    expect(await files(user.id)).toEqual([])
    vi.restoreAllMocks()
  })
})

describe('the daily sweep of export folders', () => {
  it('empties the folders of members deleted or gone, whatever the job rows say, and keeps the others', async () => {
    const live = await makeUser()
    const leaving = await makeUser()
    await env.DB.prepare('UPDATE users SET deleted_at = ? WHERE id = ?').bind(Date.now(), leaving.id).run()
    const gone = 987_654
    for (const id of [live.id, leaving.id, gone]) {
      await env.EXPORTS.put(`exports/${id}/77/piece-000000`, 'x')
      await env.EXPORTS.put(`exports/${id}/78/microblog-export.json`, '{}')
    }
    vi.spyOn(console, 'log').mockImplementation(() => {})
    await worker.scheduled(createScheduledController({ cron: DAILY_CRON, scheduledTime: new Date() }), env)
    vi.restoreAllMocks()
    expect(await files(live.id)).toHaveLength(2)
    expect(await files(leaving.id)).toEqual([])
    expect(await files(gone)).toEqual([])
  })
})
