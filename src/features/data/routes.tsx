import { Hono, type Context } from 'hono'
import { and, eq, inArray } from 'drizzle-orm'
import { apiTokens, jobs, reservedUsernames, sessions, users } from '../../db/schema'
import type { AppEnv } from '../../env'
import { setFlash } from '../../middleware/flash'
import { readForm, validateForm, type FieldErrors } from '../../lib/forms'
import { isHtmx } from '../../middleware/htmx'
import { HttpError } from '../../lib/http-error'
import { verifyPassword } from '../../lib/password'
import { hitRateLimit, type RateLimitRule } from '../../middleware/rate-limit'
import { deleteSessionCookie, requireUser } from '../../middleware/session'
import { dropMemberCopies } from '../../middleware/edge-cache'
import { forgetLiveMember } from '../live/notify'
import { enqueueJob, getActiveJob, getUserJob, listUserJobs, requeueFailedJob, startJob } from './jobs/queries'
import { baseUrl } from '../../views/email'
import { deleteAccountSchema, jobIdSchema } from './schemas'
import { DataPage, ExportSection, ExportStatus } from './views'

export const dataRoutes = new Hono<AppEnv>()

/** At most this many exports a member can start per 24 hours. */
export const EXPORTS_PER_DAY = 3
/** Password attempts on the delete form: the same guard as a login, per account. */
export const DELETE_ACCOUNT_LIMIT: RateLimitRule = { limit: 5, windowMs: 15 * 60 * 1000 }
/** A deleted account's username cannot be taken for this long. */
export const USERNAME_RESERVED_MS = 30 * 24 * 60 * 60 * 1000

async function renderDataPage(
  c: Context<AppEnv>,
  extra: { status?: 409 | 422 | 429; notice?: string; deleteErrors?: FieldErrors } = {},
) {
  const { db, t, lang } = c.var
  const user = c.var.user!
  const exports = await listUserJobs(db, user.id, 'export', 5)
  if (extra.status) c.status(extra.status)
  c.header('Cache-Control', 'private, no-store')
  return c.render(
    <DataPage
      t={t}
      lang={lang}
      username={user.username}
      exports={exports}
      now={Date.now()}
      notice={extra.notice}
      deleteErrors={extra.deleteErrors}
    />,
    { title: t('data.title') },
  )
}

/**
 * Under htmx the export form replaces only its card (ExportSection), so the page and its live
 * socket stay; errors keep their status (public/js/export-progress.js swaps them too).
 */
async function renderExportSection(
  c: Context<AppEnv>,
  notice: { text: string; ok?: boolean },
  status: 200 | 409 | 429,
) {
  const exports = await listUserJobs(c.var.db, c.var.user!.id, 'export', 5)
  c.header('Cache-Control', 'private, no-store')
  return c.html(
    <ExportSection t={c.var.t} lang={c.var.lang} exports={exports} now={Date.now()} notice={notice} />,
    status,
  )
}

/** The member's export with the id in the path; anyone else's (or none) is a 404. */
async function exportFromPath(c: Context<AppEnv>) {
  const id = jobIdSchema.safeParse(c.req.param('id'))
  const job = id.success ? await getUserJob(c.var.db, c.var.user!.id, id.data) : null
  if (!job || job.kind !== 'export') throw new HttpError(404)
  return job
}

dataRoutes.get('/settings/data', requireUser, (c) => renderDataPage(c))

// A GET never starts anything: the export starts from this (CSRF-checked) form post.
dataRoutes.post('/settings/export', requireUser, async (c) => {
  const { db, t } = c.var
  const user = c.var.user!
  const started = await startJob(db, {
    userId: user.id,
    kind: 'export',
    cursor: { origin: baseUrl(c.env, c.req.url) },
    dailyLimit: EXPORTS_PER_DAY,
  })
  if (!started.ok) {
    if (isHtmx(c)) {
      return started.reason === 'running'
        ? renderExportSection(c, { text: t('data.exportRunning') }, 409)
        : renderExportSection(c, { text: t('data.exportDailyLimit', { count: EXPORTS_PER_DAY }) }, 429)
    }
    return started.reason === 'running'
      ? renderDataPage(c, { status: 409, notice: t('data.exportRunning') })
      : renderDataPage(c, { status: 429, notice: t('data.exportDailyLimit', { count: EXPORTS_PER_DAY }) })
  }
  await enqueueJob(c.env.JOBS_QUEUE, started.job.id)
  if (isHtmx(c)) return renderExportSection(c, { text: t('data.exportStarted'), ok: true }, 200)
  setFlash(c, 'data.exportStarted')
  return c.redirect('/settings/data', 303)
})

/**
 * The status fragment the progress bar polls. Its ETag changes with state and progress, so
 * an unchanged poll is a bodiless 304; `no-cache` makes the browser revalidate each time.
 */
dataRoutes.get('/settings/export/:id/status', requireUser, async (c) => {
  const job = await exportFromPath(c)
  const etag = `"export-${job.id}-${job.state}-${job.done}-${job.total}"`
  c.header('ETag', etag)
  c.header('Cache-Control', 'private, no-cache')
  c.header('Vary', 'HX-Request')
  const match = c.req.header('If-None-Match')
  if (match && match.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag)) return c.body(null, 304)
  if (!isHtmx(c)) return c.redirect('/settings/data', 303)
  return c.html(<ExportStatus t={c.var.t} lang={c.var.lang} job={job} now={Date.now()} />)
})

// "Try again": the failed export resumes from its last finished chunk.
dataRoutes.post('/settings/export/:id/retry', requireUser, async (c) => {
  const { db, t } = c.var
  const job = await exportFromPath(c)
  if (!(await requeueFailedJob(db, job.userId, job.id))) {
    return renderDataPage(c, { status: 409, notice: t('data.exportRunning') })
  }
  await enqueueJob(c.env.JOBS_QUEUE, job.id)
  setFlash(c, 'data.exportStarted')
  return c.redirect('/settings/data', 303)
})

dataRoutes.get('/settings/export/:id/download', requireUser, async (c) => {
  const job = await exportFromPath(c)
  if (job.state !== 'done' || !job.fileKey || (job.expiresAt ?? 0) <= Date.now()) throw new HttpError(404)
  const file = await c.env.EXPORTS.get(job.fileKey)
  if (!file) throw new HttpError(404)
  const day = new Date(job.finishedAt ?? job.createdAt).toISOString().slice(0, 10)
  // Usernames are [A-Za-z0-9_], so the name needs no quoting beyond the quotes.
  const filename = `microblog-${c.var.user!.username.replace(/[^\w-]/g, '_')}-${day}.json`
  return new Response(file.body, {
    headers: {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': String(file.size),
      'Content-Disposition': `attachment; filename="${filename}"`,
      'Cache-Control': 'private, no-store',
      'X-Content-Type-Options': 'nosniff',
    },
  })
})

dataRoutes.post('/settings/delete-account', requireUser, async (c) => {
  const { db, t } = c.var
  const user = c.var.user!
  const form = await readForm(c.req)
  const limited = await hitRateLimit(db, `delete-account:user:${user.id}`, DELETE_ACCOUNT_LIMIT)
  if (limited.limited) {
    c.header('Retry-After', String(limited.retryAfterSeconds))
    return renderDataPage(c, { status: 429, notice: t('data.deleteTooMany') })
  }
  const parsed = validateForm(deleteAccountSchema, form)
  if (!parsed.ok) return renderDataPage(c, { status: 422, deleteErrors: parsed.errors })
  const check = await verifyPassword(user.passwordHash, parsed.data.password)
  if (!check.ok) return renderDataPage(c, { status: 422, deleteErrors: { password: 'data.deleteWrongPassword' } })
  if (parsed.data.confirm.toLowerCase() !== user.username.toLowerCase()) {
    return renderDataPage(c, { status: 422, deleteErrors: { confirm: 'data.deleteConfirmMismatch' } })
  }

  // One transaction: the account is hidden (gone from every read, no login), its username
  // reserved, every session ended (logged out everywhere at once), its export stopped and
  // the deletion job queued.
  const now = Date.now()
  await db.batch([
    db.update(users).set({ deletedAt: now }).where(eq(users.id, user.id)),
    db
      .insert(reservedUsernames)
      .values({ username: user.username.toLowerCase(), until: now + USERNAME_RESERVED_MS })
      .onConflictDoUpdate({ target: reservedUsernames.username, set: { until: now + USERNAME_RESERVED_MS } }),
    db.delete(sessions).where(eq(sessions.userId, user.id)),
    // API tokens too: no script keeps acting for a deleted account.
    db.delete(apiTokens).where(eq(apiTokens.userId, user.id)),
    // A running export stops at its next chunk, and removes what it wrote (jobs/export.ts).
    db
      .update(jobs)
      .set({ state: 'failed', error: 'jobs.errorAccountDeleted', updatedAt: now, finishedAt: now })
      .where(and(eq(jobs.userId, user.id), eq(jobs.kind, 'export'), inArray(jobs.state, ['queued', 'running']))),
    db
      .insert(jobs)
      .values({
        userId: user.id,
        kind: 'delete-account',
        state: 'queued',
        cursor: '{}',
        createdAt: now,
        updatedAt: now,
      })
      .onConflictDoNothing(),
  ])
  // Every session ended, so every live socket closes too, and the hub forgets the export
  // state it kept (with its download link) and keeps none from now on.
  await forgetLiveMember(c.env, user.id)
  // Before the redirect to explore, which this data centre may have kept with their posts.
  await dropMemberCopies(c, user.username)
  // If this send is lost, the stuck-job check queues the job again within 15 minutes.
  const job = await getActiveJob(db, user.id, 'delete-account')
  if (job) await enqueueJob(c.env.JOBS_QUEUE, job.id)
  deleteSessionCookie(c)
  setFlash(c, 'data.deleted')
  // Explore is public (home would send a logged-out visitor to the login form).
  return c.redirect('/explore', 303)
})
