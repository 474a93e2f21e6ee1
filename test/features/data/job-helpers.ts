import { env } from 'cloudflare:workers'
import type { Job } from '../../../src/db/schema'

/** Inserts `count` posts by `userId` in one statement (a recursive CTE), and fixes the count. */
export async function seedPosts(userId: number, count: number, start = 1_700_000_000_000): Promise<void> {
  await env.DB.prepare(
    `INSERT INTO posts (user_id, body, language, created_at)
     WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ?2)
     SELECT ?1, 'post ' || n || ' with "quotes", \\ and ✓', 'en', ?3 + n FROM seq`,
  )
    .bind(userId, count, start)
    .run()
  await env.DB.prepare('UPDATE users SET post_count = (SELECT count(*) FROM posts WHERE user_id = ?1) WHERE id = ?1')
    .bind(userId)
    .run()
}

/** Inserts `count` members named `<prefix><n>` directly (no password hashing), returns their ids. */
export async function seedUsers(prefix: string, count: number): Promise<number[]> {
  await env.DB.prepare(
    `INSERT INTO users (username, email, password_hash, last_seen_at, created_at)
     WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ?2)
     SELECT ?1 || n, ?1 || n || '@example.com', 'x', 0, 0 FROM seq`,
  )
    .bind(prefix, count)
    .run()
  const { results } = await env.DB.prepare(`SELECT id FROM users WHERE username LIKE ?1 || '%' ORDER BY id`)
    .bind(prefix)
    .all<{ id: number }>()
  return results.map((row) => row.id)
}

export async function jobRow(id: number): Promise<Job> {
  const row = await env.DB.prepare(
    `SELECT id, user_id AS userId, kind, state, done, total, attempts, error, cursor, file_key AS fileKey,
       file_size AS fileSize, expires_at AS expiresAt, created_at AS createdAt, updated_at AS updatedAt,
       finished_at AS finishedAt FROM jobs WHERE id = ?`,
  )
    .bind(id)
    .first<Job>()
  if (!row) throw new Error(`no job ${id}`)
  return row
}

/** Waits for the queue consumer to finish a job (done or failed). */
export async function waitForJob(id: number, timeoutMs = 60_000): Promise<Job> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const job = await jobRow(id)
    if (job.state === 'done' || job.state === 'failed') return job
    if (Date.now() > deadline) throw new Error(`job ${id} still ${job.state} (${job.done}/${job.total})`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

export async function latestJob(userId: number, kind: string): Promise<Job> {
  const row = await env.DB.prepare('SELECT id FROM jobs WHERE user_id = ? AND kind = ? ORDER BY id DESC LIMIT 1')
    .bind(userId, kind)
    .first<{ id: number }>()
  if (!row) throw new Error(`no ${kind} job for ${userId}`)
  return jobRow(row.id)
}
