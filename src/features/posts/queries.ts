import { and, desc, eq, inArray, or, sql } from 'drizzle-orm'
import { olderThan } from '../../db/keyset'
import type { Db } from '../../db/client'
import { follows, posts, timelineEntries, users } from '../../db/schema'
import { PAGE_SIZE, toPage, type Cursor, type Page } from '../../lib/cursor'
import type { PostView } from '../../views/components'

const postColumns = {
  id: posts.id,
  body: posts.body,
  language: posts.language,
  createdAt: posts.createdAt,
  author: { id: users.id, username: users.username, email: users.email },
}

const cursorOf = (post: PostView): Cursor => ({ createdAt: post.createdAt, id: post.id })

/** Every member's posts, newest first. */
export async function listExplorePosts(db: Db, opts: { before: Cursor | null }): Promise<Page<PostView>> {
  const rows = await db
    .select(postColumns)
    .from(posts)
    .innerJoin(users, eq(users.id, posts.userId))
    .where(olderThan(posts.createdAt, posts.id, opts.before))
    .orderBy(desc(posts.createdAt), desc(posts.id))
    .limit(PAGE_SIZE + 1)
  return toPage(rows, cursorOf)
}

/** One member's posts, newest first. */
export async function listUserPosts(db: Db, userId: number, opts: { before: Cursor | null }): Promise<Page<PostView>> {
  const rows = await db
    .select(postColumns)
    .from(posts)
    .innerJoin(users, eq(users.id, posts.userId))
    .where(and(eq(posts.userId, userId), olderThan(posts.createdAt, posts.id, opts.before)))
    .orderBy(desc(posts.createdAt), desc(posts.id))
    .limit(PAGE_SIZE + 1)
  return toPage(rows, cursorOf)
}

/**
 * The home timeline: posts by the people `userId` follows and by `userId`, newest first.
 * Reads the fanned-out `timeline_entries` (one index range), so the cost of a page does
 * not grow with the number of followed people or the scroll depth.
 */
export async function listHomeTimeline(
  db: Db,
  userId: number,
  opts: { before: Cursor | null },
): Promise<Page<PostView>> {
  const rows = await db
    .select(postColumns)
    .from(timelineEntries)
    .innerJoin(posts, eq(posts.id, timelineEntries.postId))
    .innerJoin(users, eq(users.id, posts.userId))
    .where(
      and(
        eq(timelineEntries.ownerId, userId),
        olderThan(timelineEntries.createdAt, timelineEntries.postId, opts.before),
      ),
    )
    .orderBy(desc(timelineEntries.createdAt), desc(timelineEntries.postId))
    .limit(PAGE_SIZE + 1)
  return toPage(rows, cursorOf)
}

function newestPostOf(authorId: number, createdAt: number) {
  return sql<number>`(SELECT id FROM posts WHERE user_id = ${authorId} AND created_at = ${createdAt}
    ORDER BY id DESC LIMIT 1)`
}

/**
 * Saves a post and, in the same batch (one transaction), delivers it to the author's and
 * every follower's timeline and bumps the author's post count.
 */
export async function createPost(
  db: Db,
  author: { id: number; username: string; email: string },
  body: string,
  language: string | null,
  now = Date.now(),
): Promise<PostView> {
  const [inserted] = await db.batch([
    db.insert(posts).values({ userId: author.id, body, language, createdAt: now }).returning({ id: posts.id }),
    // Deliver to the author and to every follower. The post just inserted is the author's
    // newest (ids only grow, and the batch runs as one transaction).
    db.insert(timelineEntries).select(
      db
        .select({
          ownerId: users.id,
          postId: newestPostOf(author.id, now).as('post_id'),
          authorId: sql<number>`${author.id}`.as('author_id'),
          createdAt: sql<number>`${now}`.as('created_at'),
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
    ),
    db
      .update(users)
      .set({ postCount: sql`${users.postCount} + 1` })
      .where(eq(users.id, author.id)),
  ])
  const id = inserted[0]?.id
  if (id === undefined) throw new Error('post insert returned no id')
  return { id, body, language, createdAt: now, author }
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
