import { env } from 'cloudflare:workers'
import { describe, expect, it, vi } from 'vitest'
import { archiveKey } from '../../../src/features/data/jobs/export'
import { startJob } from '../../../src/features/data/jobs/queries'
import { runJobSlice } from '../../../src/features/data/jobs/runner'
import { followUser } from '../../../src/features/follows/queries'
import { sendMessage } from '../../../src/features/messages/actions'
import { createPost } from '../../../src/features/posts/queries'
import { Client, db, loggedIn, makeUser } from '../../helpers'
import { linkTo, waitForMail } from '../../mailbox'
import { jobRow, latestJob, seedPosts, waitForJob } from './job-helpers'

type Archive = {
  format: string
  profile: { username: string; email: string }
  posts: { id: number; body: string; createdAt: string }[]
  followers: { username: string }[]
  following: { username: string }[]
  messagesSent: { to: string; body: string }[]
  messagesReceived: { from: string; body: string }[]
}

/** Starts an export outside the queue and crashes it after `steps` chunks; returns its id. */
async function startExportAndStop(userId: number, steps: number): Promise<number> {
  const started = await startJob(db, { userId, kind: 'export', cursor: {} })
  if (!started.ok) throw new Error('not started')
  let count = 0
  const crash = () => {
    count += 1
    if (count === steps) throw new Error('crash')
  }
  await expect(runJobSlice(env, started.job.id, { afterStep: crash })).rejects.toThrow('crash')
  return started.job.id
}

function quiet() {
  vi.spyOn(console, 'log').mockImplementation(() => {})
  vi.spyOn(console, 'warn').mockImplementation(() => {})
}

describe('POST /settings/export', () => {
  it('exports profile, posts and follows to R2, shows progress, emails the link, downloads to the owner only', async () => {
    quiet()
    const { user, client } = await loggedIn()
    const fan = await makeUser()
    const idol = await makeUser()
    await createPost(db, user, 'first <b>post</b> "quoted" ✓', 'en', 1_000)
    await createPost(db, user, 'second post', 'en', 2_000)
    await followUser(db, fan.id, user.id)
    await followUser(db, user.id, idol.id)
    await sendMessage(db, user.id, idol.id, 'hello idol', 3_000)
    await sendMessage(db, fan.id, user.id, 'hi from a fan', 4_000)

    const page = await client.get('/settings/data')
    expect(page.status).toBe(200)
    expect(await page.text()).toContain('action="/settings/export"')

    const started = await client.post('/settings/export')
    expect(started.status).toBe(303)
    const job = await waitForJob((await latestJob(user.id, 'export')).id)
    expect(job.state).toBe('done')
    expect(job.done).toBe(6)
    expect(job.total).toBe(6)
    expect(job.expiresAt! - job.finishedAt!).toBe(7 * 24 * 60 * 60 * 1000)

    // The page shows the finished state: full bar, a download link, no more polling.
    const html = await (await client.get('/settings/data')).text()
    expect(html).toContain(`/settings/export/${job.id}/download`)
    expect(html).toMatch(/<progress max="100" value="100"/)
    expect(html).not.toContain(`data-hx-get="/settings/export/${job.id}/status"`)

    const download = await client.get(`/settings/export/${job.id}/download`)
    expect(download.status).toBe(200)
    expect(download.headers.get('Content-Disposition')).toMatch(
      new RegExp(`^attachment; filename="microblog-${user.username}-\\d{4}-\\d{2}-\\d{2}\\.json"$`),
    )
    expect(Number(download.headers.get('Content-Length'))).toBe(job.fileSize)
    const archive = (await download.json()) as Archive
    expect(archive.format).toBe('microblog-export')
    expect(archive.profile.username).toBe(user.username)
    expect(archive.posts.map((p) => p.body)).toEqual(['first <b>post</b> "quoted" ✓', 'second post'])
    expect(archive.followers.map((f) => f.username)).toEqual([fan.username])
    expect(archive.following.map((f) => f.username)).toEqual([idol.username])
    expect(archive.messagesSent).toMatchObject([{ to: idol.username, body: 'hello idol' }])
    expect(archive.messagesReceived).toMatchObject([{ from: fan.username, body: 'hi from a fan' }])

    // Someone else, even logged in, gets a 404; nobody logged in goes to the login page.
    const other = new Client()
    await other.login(fan.username)
    expect((await other.get(`/settings/export/${job.id}/download`)).status).toBe(404)
    expect((await other.get(`/settings/export/${job.id}/status`, { htmx: true })).status).toBe(404)
    const anonymous = await new Client().get(`/settings/export/${job.id}/download`)
    expect(anonymous.status).toBe(303)
    expect(anonymous.headers.get('Location')).toMatch(/^\/auth\/login\?next=/)

    // The email carries the link, not the file.
    const [mail] = await waitForMail(user.email, 1)
    expect(mail!.subject).toBe('Your data is ready')
    expect(mail!.parts).not.toContain('application/json')
    expect(linkTo(mail!.text, `/settings/export/${job.id}/download`).pathname).toBe(
      `/settings/export/${job.id}/download`,
    )

    // After 7 days the file is gone for good.
    await env.DB.prepare('UPDATE jobs SET expires_at = ? WHERE id = ?')
      .bind(Date.now() - 1, job.id)
      .run()
    expect((await client.get(`/settings/export/${job.id}/download`)).status).toBe(404)
    expect(await (await client.get('/settings/data')).text()).toContain('This file has expired')
  })

  it('emails "Your data is ready" in the member\'s language', async () => {
    quiet()
    const { user, client } = await loggedIn()
    await env.DB.prepare("UPDATE users SET language = 'es' WHERE id = ?").bind(user.id).run()
    expect((await client.post('/settings/export')).status).toBe(303)
    await waitForJob((await latestJob(user.id, 'export')).id)
    const [mail] = await waitForMail(user.email, 1)
    expect(mail!.subject).toBe('Tus datos están listos')
    expect(mail!.text).toContain('Descárgala')
  })

  it('never starts from a GET, and refuses cross-site posts', async () => {
    const { user, client } = await loggedIn()
    const get = await client.get('/settings/export')
    expect(get.status).toBe(405)
    expect(get.headers.get('allow')).toBe('POST')
    expect((await client.post('/settings/export', {}, { origin: 'https://evil.example' })).status).toBe(403)
    const count = await env.DB.prepare('SELECT count(*) AS n FROM jobs WHERE user_id = ?').bind(user.id).first('n')
    expect(count).toBe(0)
  })

  it('runs one export at a time: two simultaneous requests start one job', async () => {
    quiet()
    const { user, client } = await loggedIn()
    const answers = await Promise.all([client.post('/settings/export'), client.post('/settings/export')])
    expect(answers.map((r) => r.status).sort()).toEqual([303, 409])
    const refused = answers.find((r) => r.status === 409)!
    expect(await refused.text()).toContain('An export is already running')
    const count = await env.DB.prepare('SELECT count(*) AS n FROM jobs WHERE user_id = ?').bind(user.id).first('n')
    expect(count).toBe(1)
    await waitForJob((await latestJob(user.id, 'export')).id)
  })

  it('allows at most 3 exports a day', async () => {
    quiet()
    const { user, client } = await loggedIn()
    for (let i = 0; i < 3; i++) {
      expect((await client.post('/settings/export')).status).toBe(303)
      await waitForJob((await latestJob(user.id, 'export')).id)
    }
    const fourth = await client.post('/settings/export')
    expect(fourth.status).toBe(429)
    expect(await fourth.text()).toContain('at most 3 exports a day')
    // A day later it is allowed again.
    await env.DB.prepare('UPDATE jobs SET created_at = created_at - 86400001 WHERE user_id = ?').bind(user.id).run()
    expect((await client.post('/settings/export')).status).toBe(303)
    await waitForJob((await latestJob(user.id, 'export')).id)
  })
})

describe('GET /settings/export/:id/status', () => {
  it('polls while running with an ETag (304 when unchanged) and stops polling when done', async () => {
    const { user, client } = await loggedIn()
    await seedPosts(user.id, 1200)
    // Two chunks in, not queued: the job stays mid-way while we look.
    const id = await startExportAndStop(user.id, 3)

    const running = await client.get(`/settings/export/${id}/status`, { htmx: true })
    expect(running.status).toBe(200)
    const html = await running.text()
    expect(html).toContain(`data-hx-get="/settings/export/${id}/status"`)
    expect(html).toContain('data-hx-trigger="every 2s"')
    expect(html).toMatch(/<progress max="100" value="(\d+)"/)
    const value = Number(/<progress max="100" value="(\d+)"/.exec(html)![1])
    expect(value).toBeGreaterThan(0)
    expect(value).toBeLessThan(100)
    expect(html).toContain('href="/settings/data"') // the no-JS refresh link
    const etag = running.headers.get('ETag')!
    expect(etag).toBeTruthy()
    expect(running.headers.get('Cache-Control')).toBe('private, no-cache')

    const same = await client.get(`/settings/export/${id}/status`, { htmx: true, headers: { 'If-None-Match': etag } })
    expect(same.status).toBe(304)
    expect(await same.text()).toBe('')

    expect(await runJobSlice(env, id)).toBe('done')
    const done = await client.get(`/settings/export/${id}/status`, { htmx: true, headers: { 'If-None-Match': etag } })
    expect(done.status).toBe(200)
    const doneHtml = await done.text()
    expect(doneHtml).not.toContain('data-hx-trigger')
    expect(doneHtml).toContain('value="100"')
    expect(doneHtml).toContain(`/settings/export/${id}/download`)
  })
})

describe('export job failures', () => {
  it('resumes from the last finished chunk after a crash, and "Try again" finishes a failed export', async () => {
    quiet()
    const { user, client } = await loggedIn()
    await seedPosts(user.id, 1600)
    // Crash after the header and two chunks of posts.
    const id = await startExportAndStop(user.id, 3)
    const crashed = await jobRow(id)
    expect(crashed.done).toBe(1000)
    expect(JSON.parse(crashed.cursor!)).toMatchObject({ phase: 'posts', pieces: 3 })

    // Shown as failed, in plain words, with "Try again".
    await env.DB.prepare("UPDATE jobs SET state = 'failed', error = 'jobs.errorStuck' WHERE id = ?").bind(id).run()
    const page = await (await client.get('/settings/data')).text()
    expect(page).toContain('stopped making progress for 10 minutes')
    expect(page).toContain(`action="/settings/export/${id}/retry"`)

    // Try again (through the queue): only the remaining chunks run. The header piece written
    // before the crash is kept, so the archive's exportedAt predates the retry.
    await new Promise((resolve) => setTimeout(resolve, 20))
    const retriedAt = Date.now()
    const retried = await client.post(`/settings/export/${id}/retry`)
    expect(retried.status).toBe(303)
    const job = await waitForJob(id)
    expect(job.state).toBe('done')

    const archive = (await (await client.get(`/settings/export/${id}/download`)).json()) as Archive & {
      exportedAt: string
    }
    expect(Date.parse(archive.exportedAt)).toBeLessThan(retriedAt)
    expect(archive.posts).toHaveLength(1600)
    expect(new Set(archive.posts.map((p) => p.id)).size).toBe(1600)
  })
})

describe('export scale', () => {
  it('exports 20,000 posts in ≤500-row chunks with flat memory (pieces do not grow with size)', async () => {
    quiet()
    const sizes: Record<number, { maxPiece: number; pieces: number; ms: number; bytes: number }> = {}
    for (const count of [2_000, 20_000]) {
      const user = await makeUser()
      await seedPosts(user.id, count)
      const started = await startJob(db, { userId: user.id, kind: 'export', cursor: {} })
      if (!started.ok) throw new Error('not started')
      let maxPiece = 0
      let pieces = 0
      const bucket = new Proxy(env.EXPORTS, {
        get(target, prop) {
          if (prop === 'put') {
            return (key: string, value: unknown, options?: R2PutOptions) => {
              if (typeof value === 'string') {
                pieces += 1
                maxPiece = Math.max(maxPiece, new TextEncoder().encode(value).byteLength)
              }
              return target.put(key, value as string, options)
            }
          }
          const member = Reflect.get(target, prop) as unknown
          return typeof member === 'function' ? (member as (...a: unknown[]) => unknown).bind(target) : member
        },
      })
      const t0 = Date.now()
      let outcome = 'more'
      while (outcome === 'more') outcome = await runJobSlice({ ...env, EXPORTS: bucket }, started.job.id)
      const job = await jobRow(started.job.id)
      expect(job.state).toBe('done')
      sizes[count] = { maxPiece, pieces, ms: Date.now() - t0, bytes: job.fileSize! }
      const file = await env.EXPORTS.get(archiveKey(job))
      const archive = (await file!.json()) as Archive
      expect(archive.posts).toHaveLength(count)
      expect(archive.posts[count - 1]!.body).toBe(`post ${count} with "quotes", \\ and ✓`)
    }
    console.info(`export scale: ${JSON.stringify(sizes)}`)
    // Ten times the posts: ten times the pieces, but no bigger a piece (≤ 500 rows each).
    expect(sizes[20_000]!.pieces).toBeGreaterThanOrEqual(40)
    expect(sizes[20_000]!.maxPiece).toBeLessThanOrEqual(sizes[2_000]!.maxPiece * 1.05)
    expect(sizes[20_000]!.maxPiece).toBeLessThan(100_000)
    expect(sizes[20_000]!.bytes).toBeGreaterThan(20 * sizes[20_000]!.maxPiece)
  }, 120_000)
})
