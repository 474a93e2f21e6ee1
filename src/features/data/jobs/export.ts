import { sql } from 'drizzle-orm'
import type { Job } from '../../../db/schema'
import { createTranslator, isLang } from '../../../lib/i18n'
import { sendEmail } from '../../email/send'
import { getUserById } from '../../users/queries'
import { renderExportReadyEmail } from '../emails'
import { discardExportOfDeletedOwner, exportPrefix } from './export-files'
import { finishJob } from './queries'
import type { JobContext, StepResult } from './step'

/** Rows per query (and per piece written to R2). */
export const EXPORT_CHUNK_ROWS = 500
/** How long a finished archive can be downloaded. */
export const EXPORT_TTL_MS = 7 * 24 * 60 * 60 * 1000

const SECTIONS = ['posts', 'followers', 'following', 'messagesSent', 'messagesReceived'] as const
type Section = (typeof SECTIONS)[number]

export type ExportCursor = {
  /** The origin the member asked from: the email's link starts with it (unless BASE_URL is set). */
  origin?: string
  phase?: 'header' | Section | 'assemble'
  /** Keyset of the last row written in this section: [created_at, id]. */
  after?: [number, number] | null
  /** Pieces written so far, and their total size in bytes (the archive's known length). */
  pieces?: number
  bytes?: number
  done?: number
  total?: number
}

function pieceKey(job: Job, n: number): string {
  return `${exportPrefix(job)}piece-${String(n).padStart(6, '0')}`
}
export function archiveKey(job: Pick<Job, 'id' | 'userId'>): string {
  return `${exportPrefix(job)}microblog-export.json`
}

type Row = { key: [number, number]; value: unknown }

/** One chunk of a section, oldest first, after the keyset `after`; ≤ EXPORT_CHUNK_ROWS rows. */
async function readChunk(ctx: JobContext, section: Section, after: [number, number] | null): Promise<Row[]> {
  const userId = ctx.job.userId
  const [at, id] = after ?? [-1, -1]
  if (section === 'posts') {
    // posts_user_created_idx (user_id, created_at, id)
    const rows = await ctx.db.all<{ id: number; body: string; language: string | null; created_at: number }>(sql`
      SELECT id, body, language, created_at FROM posts
      WHERE user_id = ${userId} AND (created_at, id) > (${at}, ${id})
      ORDER BY created_at, id LIMIT ${EXPORT_CHUNK_ROWS}`)
    return rows.map((r) => ({
      key: [r.created_at, r.id],
      value: { id: r.id, body: r.body, language: r.language, createdAt: new Date(r.created_at).toISOString() },
    }))
  }
  if (section === 'messagesSent' || section === 'messagesReceived') {
    // messages_sender_idx / messages_recipient_idx (side, created_at; the rowid is the id).
    const sent = section === 'messagesSent'
    const mine = sent ? sql`m.sender_id` : sql`m.recipient_id`
    const other = sent ? sql`m.recipient_id` : sql`m.sender_id`
    const rows = await ctx.db.all<{ id: number; body: string; created_at: number; username: string | null }>(sql`
      SELECT m.id AS id, m.body AS body, m.created_at AS created_at, u.username AS username
      FROM messages m LEFT JOIN users u ON u.id = ${other}
      WHERE ${mine} = ${userId} AND (m.created_at, m.id) > (${at}, ${id})
      ORDER BY m.created_at, m.id LIMIT ${EXPORT_CHUNK_ROWS}`)
    return rows.map((r) => ({
      key: [r.created_at, r.id],
      value: {
        id: r.id,
        [sent ? 'to' : 'from']: r.username,
        body: r.body,
        sentAt: new Date(r.created_at).toISOString(),
      },
    }))
  }
  // follows_followed_idx (followed_id, created_at, follower_id) and
  // follows_follower_created_idx (follower_id, created_at, followed_id).
  const mine = section === 'followers' ? sql`f.followed_id` : sql`f.follower_id`
  const other = section === 'followers' ? sql`f.follower_id` : sql`f.followed_id`
  const rows = await ctx.db.all<{ other: number; username: string; created_at: number }>(sql`
    SELECT ${other} AS other, u.username AS username, f.created_at AS created_at
    FROM follows f JOIN users u ON u.id = ${other}
    WHERE ${mine} = ${userId} AND (f.created_at, ${other}) > (${at}, ${id})
    ORDER BY f.created_at, ${other} LIMIT ${EXPORT_CHUNK_ROWS}`)
  return rows.map((r) => ({
    key: [r.created_at, r.other],
    value: { username: r.username, since: new Date(r.created_at).toISOString() },
  }))
}

const encoder = new TextEncoder()

/**
 * One step of an export. The archive is one JSON document written as pieces, each a
 * separate R2 object of known length (one chunk of ≤ 500 rows, so memory stays flat however
 * large the export); the last step streams the pieces, in order, into the final object
 * through a FixedLengthStream of the summed length, then removes them. A retry rewrites at
 * most the piece it was on.
 */
export async function runExportStep(ctx: JobContext, cursor: ExportCursor): Promise<StepResult<ExportCursor>> {
  const { job, env } = ctx
  const phase = cursor.phase ?? 'header'
  const pieces = cursor.pieces ?? 0
  const bytes = cursor.bytes ?? 0
  let done = cursor.done ?? 0
  let total = cursor.total ?? 0

  if (phase === 'assemble') {
    const key = archiveKey(job)
    const { readable, writable } = new FixedLengthStream(bytes)
    const copy = (async () => {
      for (let n = 0; n < pieces; n++) {
        const piece = await env.EXPORTS.get(pieceKey(job, n))
        if (!piece) throw new Error(`export ${job.id}: piece ${n} is missing`)
        await piece.body.pipeTo(writable, { preventClose: true })
      }
      await writable.close()
    })()
    await Promise.all([env.EXPORTS.put(key, readable, { httpMetadata: { contentType: 'application/json' } }), copy])
    const keys = Array.from({ length: pieces }, (_, n) => pieceKey(job, n))
    for (let i = 0; i < keys.length; i += 1000) await env.EXPORTS.delete(keys.slice(i, i + 1000))
    const now = Date.now()
    // Email first: if finishing fails, the retry sends it again under the same idempotency
    // key (a no-op); the other order could finish the job and lose the email.
    await emailExportReady(ctx, cursor.origin, now + EXPORT_TTL_MS)
    const finished = await finishJob(
      ctx.db,
      job.id,
      { fileKey: key, fileSize: bytes, expiresAt: now + EXPORT_TTL_MS },
      now,
    )
    // Stopped while the archive was written: the owner's deletion cancelled it.
    if (!finished && (await discardExportOfDeletedOwner(env, ctx.db, job))) {
      return { cursor, done, total, finished: true, stopped: true }
    }
    return { cursor, done: total, total, finished: true }
  }

  let piece: string
  let next: ExportCursor
  if (phase === 'header') {
    const user = await getUserById(ctx.db, job.userId)
    if (!user) throw new Error(`export ${job.id}: member ${job.userId} is gone`)
    const messages = await ctx.db.get<{ n: number }>(sql`SELECT
      (SELECT count(*) FROM messages WHERE sender_id = ${user.id}) +
      (SELECT count(*) FROM messages WHERE recipient_id = ${user.id}) AS n`)
    total = user.postCount + user.followerCount + user.followingCount + (messages?.n ?? 0)
    const profile = {
      username: user.username,
      email: user.email,
      aboutMe: user.aboutMe,
      language: user.language,
      joinedAt: new Date(user.createdAt).toISOString(),
    }
    const head = { format: 'microblog-export', version: 1, exportedAt: new Date().toISOString(), profile }
    // The document stays open: `"posts":[` follows, then each section's rows.
    piece = `${JSON.stringify(head).slice(0, -1)},"posts":[`
    next = { ...cursor, phase: 'posts', after: null }
  } else {
    const rows = await readChunk(ctx, phase, cursor.after ?? null)
    const first = !cursor.after
    piece = (first || rows.length === 0 ? '' : ',') + rows.map((row) => JSON.stringify(row.value)).join(',')
    done += rows.length
    if (rows.length < EXPORT_CHUNK_ROWS) {
      const index = SECTIONS.indexOf(phase)
      const following = SECTIONS[index + 1]
      piece += following ? `],"${following}":[` : ']}'
      next = { ...cursor, phase: following ?? 'assemble', after: null }
    } else {
      next = { ...cursor, phase, after: rows[rows.length - 1]!.key }
    }
  }
  const size = encoder.encode(piece).byteLength
  await env.EXPORTS.put(pieceKey(job, pieces), piece)
  total = Math.max(total, done)
  return { cursor: { ...next, pieces: pieces + 1, bytes: bytes + size, done, total }, done, total, finished: false }
}

async function emailExportReady(ctx: JobContext, origin: string | undefined, expiresAt: number): Promise<void> {
  const user = await getUserById(ctx.db, ctx.job.userId)
  // A member whose account is being deleted gets no link to their data.
  if (!user || user.deletedAt !== null) return
  const lang = isLang(user.language) ? user.language : 'en'
  const base = (ctx.env.BASE_URL ?? '').trim().replace(/\/+$/, '') || origin || 'http://localhost:8787'
  const email = await renderExportReadyEmail({
    t: createTranslator(lang),
    lang,
    username: user.username,
    link: `${base}/settings/export/${ctx.job.id}/download`,
    expiresAt,
  })
  await sendEmail(ctx.env, { to: [user.email], ...email, idempotencyKey: `export-ready:${ctx.job.id}` })
}
