import { createMessageBatch, getQueueResult, createExecutionContext } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createDb } from '../../src/db/client'
import { FANOUT_DLQ_ATTEMPTS, FANOUT_DLQ_NAME, type FanoutMessage } from '../../src/features/posts/fanout'
import { createPost } from '../../src/features/posts/queries'
import type { Bindings } from '../../src/env'
import worker from '../../src/index'
import { makeUser, uniqueName } from '../helpers'
import { seedUsers } from './data/job-helpers'

/**
 * The fan-out's dead-letter queue: a chunk that failed every retry of `microblog-fanout` is
 * run again by the `microblog-fanout-dlq` consumer (through the Worker's queue handler, on
 * the real local D1 and queue), and given up only after FANOUT_DLQ_ATTEMPTS, loudly.
 */

async function scalar(query: string, ...values: unknown[]): Promise<number> {
  const row = await env.DB.prepare(query)
    .bind(...values)
    .first<{ n: number }>()
  return row!.n
}

/** An author with `n` followers and a post that reached none of them (its delivery "failed"). */
async function undeliveredPost(n: number) {
  const author = await makeUser()
  const prefix = `${uniqueName('d').slice(0, 20)}x`
  await seedUsers(prefix, n)
  await env.DB.batch([
    env.DB.prepare(
      `INSERT INTO follows (follower_id, followed_id, created_at)
       SELECT id, ?1, 1600000000000 + id FROM users WHERE username LIKE ?2 || '%'`,
    ).bind(author.id, prefix),
    env.DB.prepare(
      'UPDATE users SET follower_count = (SELECT count(*) FROM follows WHERE followed_id = ?1) WHERE id = ?1',
    ).bind(author.id),
  ])
  // Threshold 0: the request writes only the post and the author's entry; nothing is queued.
  const noQueue = { send: async () => {} } as unknown as Queue<unknown>
  const post = await createPost(
    createDb(env.DB),
    author,
    'a post whose delivery failed',
    'en',
    Date.now(),
    uniqueName('k'),
    {
      queue: noQueue,
      threshold: 0,
      chunk: 1000,
    },
  )
  return { author, postId: post.id }
}

const copies = (postId: number) => scalar('SELECT count(*) AS n FROM timeline_entries WHERE post_id = ?', postId)

function deadLetter(body: FanoutMessage, attempts: number) {
  return createMessageBatch(FANOUT_DLQ_NAME, [{ id: uniqueName('m'), timestamp: new Date(), attempts, body }])
}

afterEach(() => vi.restoreAllMocks())

describe('the fan-out dead-letter queue', () => {
  it('runs a dead chunk again, and the chain it restarts reaches every follower exactly once', async () => {
    const { postId } = await undeliveredPost(1500)
    expect(await copies(postId)).toBe(1) // the author's own entry
    const batch = deadLetter({ kind: 'deliver', postId, after: null }, 1)
    const ctx = createExecutionContext()
    await worker.queue(batch, env)
    expect((await getQueueResult(batch, ctx)).explicitAcks).toHaveLength(1)
    // The first 1,000 from the dead letter, the other 500 from the chunk it queued on
    // microblog-fanout (the real consumer).
    const deadline = Date.now() + 60_000
    while ((await copies(postId)) < 1501 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200))
    expect(await copies(postId)).toBe(1501)
    // Delivered again (a redelivery): nothing twice.
    await worker.queue(deadLetter({ kind: 'deliver', postId, after: null }, 2), env)
    expect(await copies(postId)).toBe(1501)
  })

  it('retries a chunk that fails again with a longer wait, then gives up with fanout.lost', async () => {
    // D1 answering every batch with an error (a fake only for the outage itself).
    const down = {
      prepare: (query: string) => env.DB.prepare(query),
      batch: async () => {
        throw new Error('D1 is down')
      },
      withSession: () => down,
    }
    const broken = { ...env, DB: down } as unknown as Bindings
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const error = vi.spyOn(console, 'error').mockImplementation(() => {})
    const body: FanoutMessage = { kind: 'deliver', postId: 1, after: null }

    const early = deadLetter(body, 1)
    const earlyCtx = createExecutionContext()
    const delays: (number | undefined)[] = []
    const retry = early.messages[0]!.retry.bind(early.messages[0])
    vi.spyOn(early.messages[0]!, 'retry').mockImplementation((options?: QueueRetryOptions) => {
      delays.push(options?.delaySeconds)
      retry(options)
    })
    await worker.queue(early, broken)
    const retried = await getQueueResult(early, earlyCtx)
    expect(retried.retryMessages).toHaveLength(1)
    // Longer than the main queue's waits (5 s to 2 min): 2 minutes at the first attempt.
    expect(delays).toEqual([120])
    expect(retried.explicitAcks).toHaveLength(0)
    expect(warn.mock.calls.map((c) => String(c[0])).join('\n')).toContain('fanout.dead-letter-failed')
    expect(error).not.toHaveBeenCalled()

    const last = deadLetter(body, FANOUT_DLQ_ATTEMPTS)
    const lastCtx = createExecutionContext()
    await worker.queue(last, broken)
    const given = await getQueueResult(last, lastCtx)
    expect(given.retryMessages).toHaveLength(0)
    expect(given.explicitAcks).toHaveLength(1)
    const line = JSON.parse(String(error.mock.calls[0]![0])) as Record<string, unknown>
    expect(line).toMatchObject({ level: 'error', event: 'fanout.lost', kind: 'deliver', postId: 1, after: null })
    expect(String(line.error)).toContain('D1 is down')
  })
})
