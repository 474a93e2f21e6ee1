import { sql, type SQL } from 'drizzle-orm'
import { z } from 'zod'
import { createPrimaryDb, type Db } from '../../db/client'
import { timelineEntries } from '../../db/schema'
import type { Bindings } from '../../env'
import { safeErrorText } from '../../db/errors'

/**
 * Bounded fan-out. A post by an author with at most `threshold` followers is copied into
 * every follower's timeline inside the request's batch (createPost). Past it, the request
 * writes only the post and the author's own entry, and the followers' copies are made here,
 * by the `microblog-fanout` queue's consumer: one message is one chunk of at most `chunk`
 * (≤ 1,000) followers, and the consumer queues the next chunk when it has finished one.
 * Deleting a big author's post removes its copies the same way.
 *
 * Chunks walk `follows_followed_idx` (followed_id, created_at, follower_id) with a row-value
 * keyset, so a chunk reads about `chunk` index entries however far along it is, and no new
 * index is needed. Every statement binds ≤ 5 parameters.
 *
 * Why it stays correct while people follow, unfollow and delete:
 * - Each chunk is one INSERT … SELECT joined to `posts` and `follows` as they are at that
 *   moment (one statement, atomic). A deleted post matches no row, so a late chunk cannot
 *   bring a deleted post back; someone who unfollowed is not in `follows`; someone who
 *   followed after their chunk passed got the post from the follow's own copy (the newest
 *   500 posts), and a chunk that reaches them later is ignored by the primary key.
 * - `INSERT OR IGNORE` on the primary key: a redelivered chunk (or a chain that forked
 *   because a message was delivered twice) adds nothing twice.
 * - Removal runs after the post row is gone, through the author's current followers: an
 *   entry exists only for the author and for followers (unfollowing removes the author's
 *   entries in the same transaction as the edge), so that finds every copy.
 *
 * A dedicated queue rather than JOBS_QUEUE: job slices run for up to 15 s one message at a
 * time, and a post's delivery should not wait behind an export; a failed chunk is retried on
 * its own and has no job row to fail.
 */
export const FANOUT_QUEUE_NAME = 'microblog-fanout'

/** Followers above which delivery leaves the request, and timelines per chunk (both ≤ this). */
export const FANOUT_DEFAULT = 1000

export type Fanout = { queue: Queue<unknown>; threshold: number; chunk: number }

function positiveInt(raw: string | undefined, fallback: number): number {
  const value = Number(raw)
  return raw !== undefined && raw !== '' && Number.isInteger(value) && value >= 0 ? value : fallback
}

/** The settings from the environment: FANOUT_THRESHOLD and FANOUT_CHUNK (tests lower them). */
export function fanoutOf(env: Bindings): Fanout {
  return {
    queue: env.FANOUT_QUEUE,
    threshold: positiveInt(env.FANOUT_THRESHOLD, FANOUT_DEFAULT),
    chunk: Math.min(Math.max(positiveInt(env.FANOUT_CHUNK, FANOUT_DEFAULT), 1), FANOUT_DEFAULT),
  }
}

/** Where a chunk chain is: the last follow (created_at, follower_id) done, null at the start. */
const afterSchema = z.tuple([z.number().int(), z.number().int()]).nullable()
const id = z.number().int().positive()

/** Messages carry ids (and the deleted post's time, part of its entries' key), never text. */
export const fanoutMessageSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('deliver'), postId: id, after: afterSchema }),
  z.strictObject({
    kind: z.literal('remove'),
    postId: id,
    authorId: id,
    createdAt: z.number().int(),
    after: afterSchema,
  }),
])
export type FanoutMessage = z.infer<typeof fanoutMessageSchema>

export async function enqueueFanout(queue: Queue<unknown>, message: FanoutMessage): Promise<void> {
  await queue.send(message, { contentType: 'json' })
}

function pastCursor(after: [number, number] | null): SQL {
  return after ? sql`AND (f.created_at, f.follower_id) > (${after[0]}, ${after[1]})` : sql``
}

type Next = [number, number] | null

function nextCursor(rows: { createdAt: number; followerId: number }[]): Next {
  const row = rows[0]
  return row ? [row.createdAt, row.followerId] : null
}

// Statements are built with Drizzle's builders around SQL fragments: Drizzle's D1 batch
// cannot run `db.run(sql…)` with bound parameters.

/**
 * Copies the post into the timelines of the next `chunk` followers after `after`. Returns
 * where the next chunk starts, or null when this one was the last (or the post is gone).
 */
export async function deliverChunk(db: Db, postId: number, after: Next, chunk: number): Promise<Next> {
  const [, boundary] = await db.batch([
    db
      .insert(timelineEntries)
      .select(
        sql`SELECT f.follower_id, p.created_at, p.id, p.user_id
          FROM posts p JOIN follows f ON f.followed_id = p.user_id
          WHERE p.id = ${postId} ${pastCursor(after)}
          ORDER BY f.created_at, f.follower_id LIMIT ${chunk}`,
      )
      .onConflictDoNothing(),
    // The chunk's last follower: where the next chunk starts (none → this was the last).
    db
      .select({ createdAt: sql<number>`f.created_at`, followerId: sql<number>`f.follower_id` })
      .from(sql`posts p JOIN follows f ON f.followed_id = p.user_id`)
      .where(sql`p.id = ${postId} ${pastCursor(after)}`)
      .orderBy(sql`f.created_at, f.follower_id`)
      .limit(1)
      .offset(chunk - 1),
  ])
  return nextCursor(boundary)
}

/** Removes a deleted post from the timelines of the next `chunk` followers of its author. */
export async function removeChunk(
  db: Db,
  post: { postId: number; authorId: number; createdAt: number },
  after: Next,
  chunk: number,
): Promise<Next> {
  const [, boundary] = await db.batch([
    db.delete(timelineEntries).where(
      sql`created_at = ${post.createdAt} AND post_id = ${post.postId} AND owner_id IN (
        SELECT f.follower_id FROM follows f WHERE f.followed_id = ${post.authorId} ${pastCursor(after)}
        ORDER BY f.created_at, f.follower_id LIMIT ${chunk})`,
    ),
    db
      .select({ createdAt: sql<number>`f.created_at`, followerId: sql<number>`f.follower_id` })
      .from(sql`follows f`)
      .where(sql`f.followed_id = ${post.authorId} ${pastCursor(after)}`)
      .orderBy(sql`f.created_at, f.follower_id`)
      .limit(1)
      .offset(chunk - 1),
  ])
  return nextCursor(boundary)
}

/** Runs one message's chunk; returns the message for the next chunk, or null when done. */
export async function runFanoutMessage(db: Db, message: FanoutMessage, chunk: number): Promise<FanoutMessage | null> {
  const next =
    message.kind === 'deliver'
      ? await deliverChunk(db, message.postId, message.after, chunk)
      : await removeChunk(db, message, message.after, chunk)
  return next ? { ...message, after: next } : null
}

/** Wait before retrying a failed chunk: 5 s, 10 s, 20 s… capped at 2 minutes. */
function retryDelaySeconds(attempts: number): number {
  return Math.min(5 * 2 ** Math.max(0, attempts - 1), 120)
}

/**
 * A chunk that failed every retry of `microblog-fanout` lands on its dead-letter queue, whose
 * consumer keeps trying it for longer: 2, 4, 8… minutes capped at an hour, up to this many
 * attempts (about 6 hours), so an outage of D1 delays delivery instead of dropping it.
 */
export const FANOUT_DLQ_NAME = 'microblog-fanout-dlq'
export const FANOUT_DLQ_ATTEMPTS = 10

function deadLetterDelaySeconds(attempts: number): number {
  return Math.min(120 * 2 ** Math.max(0, attempts - 1), 3600)
}

type OnFailure = (message: Message<unknown>, body: FanoutMessage, error: unknown) => void

/**
 * Runs each message's chunk on the primary, queues the next chunk on `microblog-fanout` and
 * acks; a failure is handed to `onFailure` (retry, or give up). Chunks are idempotent.
 */
async function runBatch(batch: MessageBatch<unknown>, env: Bindings, onFailure: OnFailure): Promise<void> {
  // On the primary: a replica behind it might not have the post yet (the chain would end).
  const db = createPrimaryDb(env.DB)
  const { queue, chunk } = fanoutOf(env)
  for (const message of batch.messages) {
    const parsed = fanoutMessageSchema.safeParse(message.body)
    if (!parsed.success) {
      console.error(JSON.stringify({ level: 'error', event: 'fanout.invalid-message', id: message.id }))
      message.ack()
      continue
    }
    try {
      const next = await runFanoutMessage(db, parsed.data, chunk)
      if (next) await enqueueFanout(queue, next)
      message.ack()
    } catch (error) {
      onFailure(message, parsed.data, error)
    }
  }
}

/** What a failed chunk's log line says: never the post's text, only ids and the cursor. */
function failure(level: string, event: string, message: Message<unknown>, body: FanoutMessage, error: unknown) {
  return JSON.stringify({
    level,
    event,
    kind: body.kind,
    postId: body.postId,
    after: body.after,
    attempts: message.attempts,
    error: safeErrorText(error),
  })
}

/**
 * The `microblog-fanout` consumer: one chunk per message, then the next chunk is queued and
 * the message acked. A failure retries the same chunk; after the queue's last retry the
 * message goes to `microblog-fanout-dlq`.
 */
export function handleFanoutBatch(batch: MessageBatch<unknown>, env: Bindings): Promise<void> {
  return runBatch(batch, env, (message, body, error) => {
    console.warn(failure('warn', 'fanout.chunk-failed', message, body, error))
    message.retry({ delaySeconds: retryDelaySeconds(message.attempts) })
  })
}

/**
 * The `microblog-fanout-dlq` consumer: the same chunk again, with longer waits. After
 * FANOUT_DLQ_ATTEMPTS it gives up with an error-level `fanout.lost` line (alerting reads
 * error lines) that names the post and the cursor, so the delivery can be replayed by hand.
 */
export function handleFanoutDeadLetterBatch(batch: MessageBatch<unknown>, env: Bindings): Promise<void> {
  return runBatch(batch, env, (message, body, error) => {
    if (message.attempts >= FANOUT_DLQ_ATTEMPTS) {
      console.error(failure('error', 'fanout.lost', message, body, error))
      message.ack()
      return
    }
    console.warn(failure('warn', 'fanout.dead-letter-failed', message, body, error))
    message.retry({ delaySeconds: deadLetterDelaySeconds(message.attempts) })
  })
}
