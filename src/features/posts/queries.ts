import { and, eq, inArray, or, sql } from 'drizzle-orm'
import { pageOrder, pageRange } from '../../db/keyset'
import type { Db } from '../../db/client'
import { follows, postTranslations, posts, timelineEntries, users } from '../../db/schema'
import { PAGE_SIZE, toKeysetPage, type Cursor, type Page, type Paging } from '../../lib/cursor'
import type { PostView } from '../../views/components'

const postColumns = {
  id: posts.id,
  body: posts.body,
  language: posts.language,
  createdAt: posts.createdAt,
  author: { id: users.id, username: users.username, email: users.email },
}

const cursorOf = (post: PostView): Cursor => ({ createdAt: post.createdAt, id: post.id })

/** Every member's posts, newest first (a page older than `before` or newer than `after`). */
export async function listExplorePosts(db: Db, opts: Paging): Promise<Page<PostView>> {
  const rows = await db
    .select(postColumns)
    .from(posts)
    .innerJoin(users, eq(users.id, posts.userId))
    .where(pageRange(posts.createdAt, posts.id, opts))
    .orderBy(...pageOrder(posts.createdAt, posts.id, opts))
    .limit((opts.limit ?? PAGE_SIZE) + 1)
  return toKeysetPage(rows, cursorOf, opts)
}

/** One member's posts, newest first. */
export async function listUserPosts(db: Db, userId: number, opts: Paging): Promise<Page<PostView>> {
  const rows = await db
    .select(postColumns)
    .from(posts)
    .innerJoin(users, eq(users.id, posts.userId))
    .where(and(eq(posts.userId, userId), pageRange(posts.createdAt, posts.id, opts)))
    .orderBy(...pageOrder(posts.createdAt, posts.id, opts))
    .limit((opts.limit ?? PAGE_SIZE) + 1)
  return toKeysetPage(rows, cursorOf, opts)
}

/**
 * The home timeline: posts by the people `userId` follows and by `userId`, newest first.
 * Reads the fanned-out `timeline_entries` (one index range), so the cost of a page does
 * not grow with the number of followed people or the scroll depth.
 */
export async function listHomeTimeline(db: Db, userId: number, opts: Paging): Promise<Page<PostView>> {
  const rows = await db
    .select(postColumns)
    .from(timelineEntries)
    .innerJoin(posts, eq(posts.id, timelineEntries.postId))
    .innerJoin(users, eq(users.id, posts.userId))
    .where(and(eq(timelineEntries.ownerId, userId), pageRange(timelineEntries.createdAt, timelineEntries.postId, opts)))
    .orderBy(...pageOrder(timelineEntries.createdAt, timelineEntries.postId, opts))
    .limit((opts.limit ?? PAGE_SIZE) + 1)
  return toKeysetPage(rows, cursorOf, opts)
}

function postWithKey(authorId: number, formKey: string) {
  return sql<number>`(SELECT id FROM posts WHERE user_id = ${authorId} AND form_key = ${formKey})`
}

export type CreatePostResult = PostView & { duplicate: boolean }

/**
 * Saves a post and, in the same batch (one transaction), delivers it to the author's and
 * every follower's timeline and recounts the author's posts.
 *
 * `formKey` is the post form's one-time key (a fresh random one when the caller has none):
 * the unique index on (user_id, form_key) turns a second insert with the same key into a
 * no-op, the fan-out finds the post by its key and ignores rows already there, and the
 * count is recomputed, so three identical requests at the same moment make one post. The
 * result says whether this call was such a repeat (`duplicate`), with the post it repeated.
 */
export async function createPost(
  db: Db,
  author: { id: number; username: string; email: string },
  body: string,
  language: string | null,
  now = Date.now(),
  formKey: string = crypto.randomUUID(),
): Promise<CreatePostResult> {
  const [inserted] = await db.batch([
    db
      .insert(posts)
      .values({ userId: author.id, body, language, createdAt: now, formKey })
      .onConflictDoNothing()
      .returning({ id: posts.id }),
    // Deliver to the author and to every follower.
    db
      .insert(timelineEntries)
      .select(
        db
          .select({
            ownerId: users.id,
            postId: postWithKey(author.id, formKey).as('post_id'),
            authorId: sql<number>`${author.id}`.as('author_id'),
            createdAt:
              sql<number>`(SELECT created_at FROM posts WHERE user_id = ${author.id} AND form_key = ${formKey})`.as(
                'created_at',
              ),
          })
          .from(users)
          .where(
            or(
              eq(users.id, author.id),
              inArray(
                users.id,
                db.select({ id: follows.followerId }).from(follows).where(eq(follows.followedId, author.id)),
              ),
            ),
          ),
      )
      .onConflictDoNothing(),
    db
      .update(users)
      .set({ postCount: sql`(SELECT count(*) FROM posts WHERE user_id = ${author.id})` })
      .where(eq(users.id, author.id)),
  ])
  const id = inserted[0]?.id
  if (id !== undefined) return { id, body, language, createdAt: now, author, duplicate: false }
  const first = await db
    .select(postColumns)
    .from(posts)
    .innerJoin(users, eq(users.id, posts.userId))
    .where(and(eq(posts.userId, author.id), eq(posts.formKey, formKey)))
    .get()
  if (!first) throw new Error('post insert returned no id and no post has its key')
  return { ...first, duplicate: true }
}

export async function getPostById(db: Db, id: number): Promise<PostView | null> {
  const row = await db
    .select(postColumns)
    .from(posts)
    .innerJoin(users, eq(users.id, posts.userId))
    .where(eq(posts.id, id))
    .get()
  return row ?? null
}

export type DeletePostResult = { ok: true } | { ok: false; reason: 'not-found' | 'forbidden' }

/**
 * Deletes a member's own post everywhere at once, in one `db.batch` (one transaction): its
 * copies in every reader's timeline, its cached translations, the post, and the author's
 * post count, recomputed from the table so two racing deletes cannot drift it. Someone
 * else's post is `forbidden`; an unknown id is `not-found`. Tables added later that point
 * at posts declare `ON DELETE CASCADE`, so they follow without a change here.
 */
export async function deletePost(db: Db, postId: number, userId: number): Promise<DeletePostResult> {
  const post = await db.select({ userId: posts.userId }).from(posts).where(eq(posts.id, postId)).get()
  if (!post) return { ok: false, reason: 'not-found' }
  if (post.userId !== userId) return { ok: false, reason: 'forbidden' }
  await db.batch([
    db.delete(timelineEntries).where(eq(timelineEntries.postId, postId)),
    db.delete(postTranslations).where(eq(postTranslations.postId, postId)),
    db.delete(posts).where(and(eq(posts.id, postId), eq(posts.userId, userId))),
    db
      .update(users)
      .set({ postCount: sql`(SELECT count(*) FROM posts WHERE user_id = ${userId})` })
      .where(eq(users.id, userId)),
  ])
  return { ok: true }
}
