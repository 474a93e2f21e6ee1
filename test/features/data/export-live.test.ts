import { env } from 'cloudflare:workers'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { Bindings } from '../../../src/env'
import { notifyMemberNow } from '../../../src/features/live/notify'
import { handleJobsBatch } from '../../../src/features/data/jobs/consumer'
import { checkStuckJobs } from '../../../src/features/housekeeping/cron'
import { startJob } from '../../../src/features/data/jobs/queries'
import { runJobSlice } from '../../../src/features/data/jobs/runner'
import { db, loggedIn } from '../../helpers'
import { openLive } from '../../live-socket'
import { jobRow, latestJob, seedPosts, waitForJob } from './job-helpers'

/** The export status fragments among what a socket received, in order. */
function exportFrames(received: string[], id: number): string[] {
  return received.filter((html) => html.includes(`id="export-${id}"`))
}

function progressOf(html: string): number | null {
  const match = /<progress max="100" value="(\d+)"/.exec(html)
  return match ? Number(match[1]) : null
}

function revisionOf(html: string): number {
  return Number(/data-export-rev="(\d+)"/.exec(html)![1])
}

/** Lets the hub handle what a socket sent (a message has no reply to wait for). */
const settle = () => new Promise((resolve) => setTimeout(resolve, 100))

function quiet() {
  vi.spyOn(console, 'log').mockImplementation(() => {})
  vi.spyOn(console, 'warn').mockImplementation(() => {})
}

afterEach(() => {
  vi.restoreAllMocks()
})

describe('export progress through the live channel', () => {
  it('pushes every finished chunk and the final Done state (with the download link) to the page that shows the export', async () => {
    quiet()
    const { user, client } = await loggedIn()
    await seedPosts(user.id, 1600)
    const started = await startJob(db, { userId: user.id, kind: 'export', cursor: {} })
    if (!started.ok) throw new Error('not started')
    const id = started.job.id
    const page = await openLive(client)
    const elsewhere = await openLive(client) // another tab, not on Settings → Your data
    page.ws.send(JSON.stringify({ type: 'export-watch', id }))
    await settle()

    expect(await runJobSlice(env, id)).toBe('done')
    const frames = exportFrames(page.received, id)
    // Running at the start, one per chunk (header, 500 + 500 + 500 + 100 posts, followers, following,
    // messages sent and received), then Done.
    expect(frames.length).toBe(1 + 9 + 1)
    for (const html of frames) expect(html).toContain(`<li id="export-${id}" class="export export-`)
    for (const html of frames) expect(html).toContain('data-hx-swap-oob="true"')
    const values = frames.map(progressOf)
    expect(values[0]).toBe(0)
    expect(values.slice(1, -1).some((v) => v! > 0 && v! < 100)).toBe(true)
    for (let i = 1; i < values.length; i++) expect(values[i]!).toBeGreaterThanOrEqual(values[i - 1]!)
    const revisions = frames.map(revisionOf)
    for (let i = 1; i < revisions.length; i++) expect(revisions[i]!).toBeGreaterThan(revisions[i - 1]!)
    // While it runs the fragment keeps the polling fallback; the last one is Done, with no poll.
    expect(frames[1]).toContain(`data-hx-get="/settings/export/${id}/status"`)
    const last = frames[frames.length - 1]!
    expect(last).toContain('export-done')
    expect(progressOf(last)).toBe(100)
    expect(last).toContain(`href="/settings/export/${id}/download"`)
    expect(last).not.toContain('data-hx-trigger')
    // The same markup the polling URL renders (apart from the out-of-band marker).
    const polled = await (await client.get(`/settings/export/${id}/status`, { htmx: true })).text()
    expect(last.replace(' data-hx-swap-oob="true"', '').replace(/<time[^]*?<\/time>/g, '')).toBe(
      polled.replace(/<time[^]*?<\/time>/g, ''),
    )
    expect(exportFrames(elsewhere.received, id)).toEqual([])

    // A page that connects after the end asks and gets the final state at once.
    const late = await openLive(client)
    late.ws.send(JSON.stringify({ type: 'export-watch', id }))
    expect(await late.next((html) => html.includes(`id="export-${id}"`))).toContain('export-done')
    for (const live of [page, elsewhere, late]) live.ws.close()
  })

  it('pushes the progress of an export started from the page, run by the real queue consumer, ending with Done', async () => {
    quiet()
    const { user, client } = await loggedIn()
    await seedPosts(user.id, 1200)
    const live = await openLive(client)
    expect((await client.post('/settings/export')).status).toBe(303)
    const id = (await latestJob(user.id, 'export')).id
    live.ws.send(JSON.stringify({ type: 'export-watch', id }))
    const done = await live.next(
      (html) => html.includes(`id="export-${id}"`) && html.includes('export-done'),
      0,
      60_000,
    )
    expect(progressOf(done)).toBe(100)
    expect(done).toContain(`/settings/export/${id}/download`)
    expect((await jobRow(id)).state).toBe('done')
    const frames = exportFrames(live.received, id)
    expect(frames.length).toBeGreaterThan(1)
    expect(frames[frames.length - 1]).toBe(done)
    live.ws.close()
  })

  it('never fails the job when a push fails or the hub hangs', async () => {
    vi.spyOn(console, 'log').mockImplementation(() => {})
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const { user } = await loggedIn()
    await seedPosts(user.id, 600)
    const started = await startJob(db, { userId: user.id, kind: 'export', cursor: {} })
    if (!started.ok) throw new Error('not started')
    const broken = {
      getByName: () => ({ notify: () => Promise.reject(new Error('hub down')) }),
    } as unknown as Bindings['MEMBER_HUB']
    expect(await runJobSlice({ ...env, MEMBER_HUB: broken }, started.job.id)).toBe('done')
    const job = await jobRow(started.job.id)
    expect(job.state).toBe('done')
    expect(job.done).toBe(600)
    expect(warn.mock.calls.some(([line]) => String(line).includes('"live.push-failed"'))).toBe(true)

    // A hub that never answers costs at most the timeout, then the job goes on.
    const hanging = { getByName: () => ({ notify: () => new Promise(() => {}) }) } as unknown as Bindings['MEMBER_HUB']
    const before = Date.now()
    expect(await notifyMemberNow({ ...env, MEMBER_HUB: hanging }, user.id, { type: 'post' }, 50)).toBe(false)
    expect(Date.now() - before).toBeLessThan(2000)
    const throwing = {
      getByName: () => {
        throw new Error('no such binding')
      },
    } as unknown as Bindings['MEMBER_HUB']
    expect(await notifyMemberNow({ ...env, MEMBER_HUB: throwing }, user.id, { type: 'post' })).toBe(false)
  })

  it('pushes the Failed state with "Try again" when the last attempt fails and when the job is stuck', async () => {
    quiet()
    const { user, client } = await loggedIn()
    const live = await openLive(client)

    // The consumer's last attempt fails (R2 refuses the piece): Failed, pushed.
    const first = await startJob(db, { userId: user.id, kind: 'export', cursor: {} })
    if (!first.ok) throw new Error('not started')
    live.ws.send(JSON.stringify({ type: 'export-watch', id: first.job.id }))
    await settle()
    await env.DB.prepare('UPDATE jobs SET attempts = 4 WHERE id = ?').bind(first.job.id).run()
    const brokenR2 = {
      ...env.EXPORTS,
      put: () => Promise.reject(new Error('R2 down')),
    } as unknown as Bindings['EXPORTS']
    const message = { id: 'm1', body: { jobId: first.job.id }, attempts: 5, ack: vi.fn(), retry: vi.fn() }
    const batch = { queue: 'microblog-jobs', messages: [message] } as unknown as MessageBatch<unknown>
    await handleJobsBatch(batch, { ...env, EXPORTS: brokenR2 })
    expect(message.ack).toHaveBeenCalled()
    expect((await jobRow(first.job.id)).state).toBe('failed')
    const failed = await live.next(
      (html) => html.includes(`id="export-${first.job.id}"`) && html.includes('export-failed'),
    )
    expect(failed).toContain(`action="/settings/export/${first.job.id}/retry"`)
    expect(failed).not.toContain('data-hx-trigger')

    // A job that stopped moving 10 minutes ago: the stuck check fails it, pushed.
    const second = await startJob(db, { userId: user.id, kind: 'export', cursor: {} })
    if (!second.ok) throw new Error('not started')
    live.ws.send(JSON.stringify({ type: 'export-watch', id: second.job.id }))
    await settle()
    await env.DB.prepare('UPDATE jobs SET updated_at = ? WHERE id = ?')
      .bind(Date.now() - 11 * 60 * 1000, second.job.id)
      .run()
    await checkStuckJobs(env)
    const stuck = await live.next((html) => html.includes(`id="export-${second.job.id}"`))
    expect(stuck).toContain('export-failed')
    expect(stuck).toContain('stopped making progress')
    expect(stuck).toContain(`action="/settings/export/${second.job.id}/retry"`)
    expect((await waitForJob(second.job.id)).state).toBe('failed')
    live.ws.close()
  })
})
