import { createScheduledController } from 'cloudflare:test'
import { env, exports } from 'cloudflare:workers'
import { describe, expect, it, vi } from 'vitest'
import { DAILY_CRON, STUCK_JOBS_CRON } from '../../src/features/housekeeping/cron'
import { makeUser } from '../helpers'
import worker from '../../src/index'
import { jobRow, waitForJob } from './data/job-helpers'

const DAY = 24 * 60 * 60 * 1000

/**
 * Fires a Cron Trigger two ways: through the Worker's entry point as the runtime would
 * (`exports.default.scheduled`), or by calling the handler with `createScheduledController`.
 */
async function runCron(cron: string, now: number, via: 'exports' | 'controller'): Promise<string[]> {
  const lines: string[] = []
  vi.spyOn(console, 'log').mockImplementation((line: unknown) => void lines.push(String(line)))
  if (via === 'exports') {
    // The Worker's entry point as the runtime calls it (the type of `exports` omits scheduled).
    const entry = exports.default as unknown as {
      scheduled(options: { cron: string; scheduledTime: Date }): Promise<unknown>
    }
    await entry.scheduled({ cron, scheduledTime: new Date(now) })
  } else {
    const controller = createScheduledController({ cron, scheduledTime: new Date(now) })
    await worker.scheduled(controller, env)
  }
  vi.restoreAllMocks()
  return lines.filter((line) => line.includes('"event":"housekeeping"'))
}

async function count(query: string, ...params: unknown[]): Promise<number> {
  return (await env.DB.prepare(query)
    .bind(...params)
    .first<number>('n'))!
}

function seq(n: number): string {
  return `WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ${n})`
}

describe('housekeeping: daily prunes', () => {
  it('prunes each table in bounded chunks, keeps what is current, and logs one summary line each', async () => {
    const now = Date.now()
    const user = await makeUser()
    const run = (query: string, ...params: unknown[]) =>
      env.DB.prepare(query)
        .bind(...params)
        .run()
    // 1,200 expired sessions (three chunks of 500) and one live one.
    await run(
      `INSERT INTO sessions (id, user_id, secret_hash, persistent, created_at, last_verified_at, expires_at)
       ${seq(1200)} SELECT 'old' || n, ?1, 'x', 0, 0, 0, ?2 FROM seq`,
      user.id,
      now - 1,
    )
    await run(
      `INSERT INTO sessions (id, user_id, secret_hash, persistent, created_at, last_verified_at, expires_at)
       VALUES ('live', ?1, 'x', 0, 0, 0, ?2)`,
      user.id,
      now + DAY,
    )
    await run(
      `INSERT INTO api_tokens (id, user_id, secret_hash, created_at, expires_at) VALUES ('old', ?1, 'x', 0, ?2), ('live', ?1, 'x', 0, ?3)`,
      user.id,
      now - 1,
      now + DAY,
    )
    await run(
      `INSERT INTO api_idempotency_keys (token_id, key, request_hash, form_key, created_at)
       VALUES ('live', 'day-old', 'h', 'f1', ?1), ('live', 'recent', 'h', 'f2', ?2)`,
      now - DAY,
      now - DAY + 60_000,
    )
    await run(
      `INSERT INTO rate_limits (key, count, reset_at) VALUES ('old', 1, ?1), ('live', 1, ?2)`,
      now - 1,
      now + 1000,
    )
    await run(
      `INSERT INTO password_reset_tokens (token_hash, user_id, created_at, expires_at, used_at)
       VALUES ('expired', ?1, 0, ?2, NULL), ('used', ?1, 0, ?3, ?2), ('live', ?1, 0, ?3, NULL)`,
      user.id,
      now - 1,
      now + 1000,
    )
    await run(
      `INSERT INTO email_change_tokens (token_hash, user_id, new_email, created_at, expires_at, used_at)
       VALUES ('expired', ?1, 'a@example.com', 0, ?2, NULL), ('used', ?1, 'b@example.com', 0, ?3, ?2),
              ('live', ?1, 'c@example.com', 0, ?3, NULL)`,
      user.id,
      now - 1,
      now + 1000,
    )
    await run(`INSERT INTO sent_emails (idempotency_key, sent_at) VALUES ('old', ?1), ('new', ?2)`, now - 31 * DAY, now)
    await run(
      `INSERT INTO dev_outbox (to_address, subject, text, html, idempotency_key, created_at) ${seq(250)}
       SELECT 'a@example.com', 's' || n, 't', 'h', 'k' || n, n FROM seq`.replace('to_address', '"to"'),
    )
    await run(
      `INSERT INTO admin_alerts (fingerprint, last_sent_at, count) VALUES ('old', ?1, 1), ('new', ?2, 1)`,
      now - 31 * DAY,
      now,
    )
    await run(
      `INSERT INTO email_dead_letters (message_id, queue, reason, body, attempts, created_at)
       VALUES ('old', 'q', 'dead-letter', '{}', 5, ?1), ('new', 'q', 'dead-letter', '{}', 5, ?2)`,
      now - 91 * DAY,
      now - 89 * DAY,
    )
    await run(`INSERT INTO reserved_usernames (username, until) VALUES ('gone', ?1), ('kept', ?2)`, now - 1, now + DAY)
    // An expired export (file in R2) and a current one.
    const expired = await env.DB.prepare(
      `INSERT INTO jobs (user_id, kind, state, file_key, expires_at, created_at, updated_at)
       VALUES (?1, 'export', 'done', ?2, ?3, 0, 0) RETURNING id`,
    )
      .bind(user.id, 'pending', now - 1)
      .first<number>('id')
    const expiredKey = `exports/${user.id}/${expired}/microblog-export.json`
    await env.EXPORTS.put(expiredKey, '{}')
    const current = await env.DB.prepare(
      `INSERT INTO jobs (user_id, kind, state, file_key, expires_at, created_at, updated_at)
       VALUES (?1, 'export', 'done', 'k', ?2, 0, 0) RETURNING id`,
    )
      .bind(user.id, now + DAY)
      .first<number>('id')
    await env.EXPORTS.put(`exports/${user.id}/${current}/microblog-export.json`, '{}')

    const lines = await runCron(DAILY_CRON, now, 'exports')

    expect(await count(`SELECT count(*) AS n FROM sessions WHERE user_id = ?`, user.id)).toBe(1)
    expect(await count(`SELECT count(*) AS n FROM api_tokens WHERE user_id = ?`, user.id)).toBe(1)
    expect(await count(`SELECT count(*) AS n FROM api_tokens WHERE id = 'live'`)).toBe(1)
    expect(await count(`SELECT count(*) AS n FROM api_idempotency_keys WHERE key IN ('day-old', 'recent')`)).toBe(1)
    expect(await count(`SELECT count(*) AS n FROM api_idempotency_keys WHERE key = 'recent'`)).toBe(1)
    expect(await count(`SELECT count(*) AS n FROM rate_limits WHERE key IN ('old', 'live')`)).toBe(1)
    expect(await count(`SELECT count(*) AS n FROM password_reset_tokens WHERE user_id = ?`, user.id)).toBe(1)
    expect(await count(`SELECT count(*) AS n FROM email_change_tokens WHERE token_hash = 'live'`)).toBe(1)
    expect(await count(`SELECT count(*) AS n FROM email_change_tokens WHERE user_id = ?`, user.id)).toBe(1)
    expect(await count(`SELECT count(*) AS n FROM sent_emails WHERE idempotency_key IN ('old', 'new')`)).toBe(1)
    expect(await count(`SELECT count(*) AS n FROM dev_outbox`)).toBe(200)
    expect(await count(`SELECT min(created_at) AS n FROM dev_outbox`)).toBe(51)
    expect(await count(`SELECT count(*) AS n FROM admin_alerts WHERE fingerprint IN ('old', 'new')`)).toBe(1)
    expect(await count(`SELECT count(*) AS n FROM email_dead_letters WHERE message_id IN ('old', 'new')`)).toBe(1)
    expect(await count(`SELECT count(*) AS n FROM reserved_usernames WHERE username IN ('gone', 'kept')`)).toBe(1)
    expect(await count(`SELECT count(*) AS n FROM jobs WHERE id = ?`, expired)).toBe(0)
    expect(await env.EXPORTS.head(expiredKey)).toBeNull()
    expect(await count(`SELECT count(*) AS n FROM jobs WHERE id = ?`, current)).toBe(1)
    expect(await env.EXPORTS.head(`exports/${user.id}/${current}/microblog-export.json`)).not.toBeNull()

    // One line per prune; sessions went in three bounded chunks of ≤ 500.
    const parsed = lines.map((line) => JSON.parse(line) as { what: string; deleted: number; chunks: number })
    expect(parsed.map((p) => p.what)).toEqual([
      'sessions',
      'api-tokens',
      'idempotency-keys',
      'rate-limits',
      'reset-tokens',
      'email-change-tokens',
      'sent-emails',
      'dev-outbox',
      'admin-alerts',
      'dead-letters',
      'reserved-usernames',
      'finished-deletions',
      'exports',
      'export-files-of-deleted',
      'stalled-deletions',
    ])
    expect(parsed[0]).toMatchObject({ what: 'sessions', deleted: 1200, chunks: 3 })
    expect(parsed.find((p) => p.what === 'dev-outbox')).toMatchObject({ deleted: 50 })
  })
})

describe('housekeeping: stuck jobs', () => {
  it('marks an export that made no progress for 10 minutes failed, leaves moving jobs alone, requeues a stuck deletion', async () => {
    const now = Date.now()
    const user = await makeUser()
    const other = await makeUser()
    const insert = (userId: number, kind: string, updatedAt: number) =>
      env.DB.prepare(
        `INSERT INTO jobs (user_id, kind, state, cursor, created_at, updated_at) VALUES (?, ?, 'running', '{}', ?, ?) RETURNING id`,
      )
        .bind(userId, kind, updatedAt, updatedAt)
        .first<number>('id')
    const stuck = (await insert(user.id, 'export', now - 11 * 60 * 1000))!
    const moving = (await insert(other.id, 'export', now - 60 * 1000))!
    const leaving = await makeUser()
    await env.DB.prepare('UPDATE users SET deleted_at = ? WHERE id = ?').bind(now, leaving.id).run()
    const deletion = (await insert(leaving.id, 'delete-account', now - 11 * 60 * 1000))!

    const lines = await runCron(STUCK_JOBS_CRON, now, 'controller')
    expect((await jobRow(stuck)).state).toBe('failed')
    expect((await jobRow(stuck)).error).toBe('jobs.errorStuck')
    expect((await jobRow(moving)).state).toBe('running')
    // A deletion cannot be retried by its (logged-out) member: it is queued again and finishes.
    expect((await jobRow(deletion)).attempts).toBe(1)
    expect((await waitForJob(deletion)).state).toBe('done')
    expect(lines).toHaveLength(1)
    expect(JSON.parse(lines[0]!)).toMatchObject({ what: 'stuck-jobs', failed: 1, requeued: 1, alerted: 0 })
  })
})
