import type { Db } from '../../db/client'
import type { User } from '../../db/schema'
import { detectPostLanguage } from '../../lib/language-detect'
import type { Runtime } from '../../middleware/runtime'
import type { PostView } from '../../views/components'
import { listFollowerIds } from '../follows/queries'
import { LIVE_FANOUT_MAX, LIVE_RECENT_MS, notifyLater } from '../live/notify'
import { fanoutOf } from './fanout'
import { createPost, deletePost } from './queries'

// A member's posts, written the same way from the site's forms and from the API.

export type PublishOutcome = { post: PostView; duplicate: boolean }

/**
 * Publishes a post whose body has passed `postSchema`: detects its language, saves it with
 * its timeline entries and fan-out (createPost), and — after the answer — tells followers
 * with an open home timeline that there is something new. `formKey` makes a repeat of the
 * same request (a double click, a client's retry) answer the first post: `duplicate`, and
 * nobody is told twice.
 */
export async function publishPost(
  db: Db,
  runtime: Runtime,
  author: User,
  input: { body: string; formKey: string },
): Promise<PublishOutcome> {
  const { body, formKey } = input
  const { duplicate, ...post } = await createPost(
    db,
    author,
    body,
    await detectPostLanguage(body),
    Date.now(),
    formKey,
    fanoutOf(runtime.env),
  )
  // The follower list is read after the answer; past LIVE_FANOUT_MAX followers (or those
  // not seen lately) the rest see the post on their next page load.
  if (!duplicate) {
    notifyLater(runtime, async () =>
      (await listFollowerIds(db, author.id, LIVE_FANOUT_MAX, Date.now() - LIVE_RECENT_MS)).map((userId) => ({
        userId,
        event: { type: 'post' as const },
      })),
    )
  }
  return { post, duplicate }
}

export type DeleteOutcome = { ok: true } | { ok: false; error: 'not-found' | 'not-yours' }

/**
 * Deletes one of the member's own posts: its timeline copies (in the request, or through the
 * fan-out queue for a big audience), its translations and the author's count.
 */
export async function deleteOwnPost(db: Db, runtime: Runtime, author: User, postId: number): Promise<DeleteOutcome> {
  const result = await deletePost(db, postId, author.id, fanoutOf(runtime.env))
  if (result.ok) return { ok: true }
  return { ok: false, error: result.reason === 'forbidden' ? 'not-yours' : 'not-found' }
}
