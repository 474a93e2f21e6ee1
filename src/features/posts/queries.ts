import { and, eq, sql } from 'drizzle-orm'
import { keysetSelect, pageOrder, pagePlaceholders, pageRange, pageValues, type PageKind } from '../../db/keyset'
import {
  memberIdSql,
  memberIdValues,
  memberKind,
  notBeingDeleted,
  type MemberKind,
  type MemberRef,
} from '../../db/member'
import { bind, prepareOnce, runStatement, type Statement } from '../../db/read'
import type { Db } from '../../db/client'
import { postTranslations, posts, timelineEntries, users } from '../../db/schema'
import { toKeysetPage, type Cursor, type Page, type Paging } from '../../lib/cursor'
import type { PostView } from '../../views/components'
import { enqueueFanout, type Fanout } from './fanout'

const postColumns = {
  id: posts.id,
  body: posts.body,
  language: posts.language,
  createdAt: posts.createdAt,
  // posts.user_id rather than users.id: in a `db.batch` D1 keys row objects by column
  // name, and a second `id` would overwrite posts.id.
  author: { id: posts.userId, username: users.username, email: users.email },
}

const cursorOf = (post: PostView): Cursor => ({ createdAt: post.createdAt, id: post.id })

// Every read of posts leaves out authors being deleted (db/member.ts): their posts vanish
// from every page the moment the deletion is confirmed, while the job removes the rows and
// the timeline entries pointing at them in chunks.
const authorLive = notBeingDeleted(posts.userId)

const explore = prepareOnce((db, page: PageKind) => {
  const { paging, limit } = pagePlaceholders(page)
  return keysetSelect(
    (range) =>
      db
        .select(postColumns)
        .from(posts)
        .innerJoin(users, eq(users.id, posts.userId))
        .where(and(authorLive, range))
        .$dynamic(),
    posts.createdAt,
    posts.id,
    paging,
    limit,
  ).prepare()
})

/** Every member's posts, newest first (a page older than `before` or newer than `after`). */
export function exploreRead(db: Db, opts: Paging): Statement<Page<PostView>> {
  const page = pageValues(opts)
  return bind(db, explore(db, page.kind), page.values, (rows) => toKeysetPage(rows, cursorOf, opts))
}

export const listExplorePosts = (db: Db, opts: Paging) => runStatement(exploreRead(db, opts))

const userPosts = prepareOnce((db, author: MemberKind, page: PageKind) => {
  const { paging, limit } = pagePlaceholders(page)
  const authorId = memberIdSql(author, 'author')
  return keysetSelect(
    (range) =>
      db
        .select(postColumns)
        .from(posts)
        .innerJoin(users, eq(users.id, posts.userId))
        .where(and(eq(posts.userId, authorId), authorLive, range))
        .$dynamic(),
    posts.createdAt,
    posts.id,
    paging,
    limit,
  ).prepare()
})

/**
 * One member's posts, newest first. The profile page names its member by username, to read
 * the member and their posts in one batch.
 */
export function userPostsRead(db: Db, author: MemberRef, opts: Paging): Statement<Page<PostView>> {
  const page = pageValues(opts)
  return bind(
    db,
    userPosts(db, memberKind(author), page.kind),
    { ...memberIdValues(author, 'author'), ...page.values },
    (rows) => toKeysetPage(rows, cursorOf, opts),
  )
}

export const listUserPosts = (db: Db, userId: number, opts: Paging) =>
  runStatement(userPostsRead(db, { id: userId }, opts))

const homeTimeline = prepareOnce((db, owner: MemberKind, page: PageKind) => {
  const { paging, limit } = pagePlaceholders(page)
  return db
    .select(postColumns)
    .from(timelineEntries)
    .innerJoin(posts, eq(posts.id, timelineEntries.postId))
    .innerJoin(users, eq(users.id, posts.userId))
    .where(
      and(
        eq(timelineEntries.ownerId, memberIdSql(owner, 'owner')),
        notBeingDeleted(timelineEntries.authorId),
        pageRange(timelineEntries.createdAt, timelineEntries.postId, paging),
      ),
    )
    .orderBy(...pageOrder(timelineEntries.createdAt, timelineEntries.postId, paging))
    .limit(limit)
    .prepare()
})

/**
 * The home timeline: posts by the people `owner` follows and by `owner`, newest first.
 * Reads the fanned-out `timeline_entries` (one index range), so the cost of a page does
 * not grow with the number of followed people or the scroll depth. The home page names
 * `owner` by the session cookie (`withSessionBatch`).
 */
export function homeTimelineRead(db: Db, owner: MemberRef, opts: Paging): Statement<Page<PostView>> {
  const page = pageValues(opts)
  return bind(
    db,
    homeTimeline(db, memberKind(owner), page.kind),
    { ...memberIdValues(owner, 'owner'), ...page.values },
    (rows) => toKeysetPage(rows, cursorOf, opts),
  )
}

export const listHomeTimeline = (db: Db, userId: number, opts: Paging) =>
  runStatement(homeTimelineRead(db, { id: userId }, opts))

export type CreatePostResult = PostView & { duplicate: boolean }

/** Without fan-out settings (scripts, tests) every post is delivered in the request's batch. */
const IN_REQUEST = Number.MAX_SAFE_INTEGER

/**
 * Saves a post and, in the same batch (one transaction), puts it in the author's timeline,
 * recounts the author's posts, and — when the author has at most `fanout.threshold`
 * followers — delivers it to every follower's timeline. Past the threshold the followers'
 * copies are made by the fan-out queue in bounded chunks (fanout.ts), so the request's
 * writes do not grow with the audience. The threshold is read from `users.follower_count`
 * inside the batch, so the choice and the delivery see the same moment.
 *
 * `formKey` is the post form's one-time key (a fresh random one when the caller has none):
 * the unique index on (user_id, form_key) turns a second insert with the same key into a
 * no-op, the fan-out finds the post by its key and ignores rows already there, and the
 * count is recomputed, so three identical requests at the same moment make one post. The
 * result says whether this call was such a repeat (`duplicate`), with the post it repeated.
 * A repeat queues the delivery again (it is idempotent): if the first request failed after
 * its batch, the retry still gets the post delivered.
 */
export async function createPost(
  db: Db,
  author: { id: number; username: string; email: string },
  body: string,
  language: string | null,
  now = Date.now(),
  formKey: string = crypto.randomUUID(),
  fanout: Fanout | null = null,
): Promise<CreatePostResult> {
  const threshold = fanout?.threshold ?? IN_REQUEST
  const [inserted, , , , audience] = await db.batch([
    db
      .insert(posts)
      .values({ userId: author.id, body, language, createdAt: now, formKey })
      .onConflictDoNothing()
      .returning({ id: posts.id }),
    db
      .insert(timelineEntries)
      .select(
        sql`SELECT user_id, created_at, id, user_id FROM posts WHERE user_id = ${author.id} AND form_key = ${formKey}`,
      )
      .onConflictDoNothing(),
    // The threshold test reads no column of the outer rows: SQLite checks it once, first.
    db
      .insert(timelineEntries)
      .select(
        sql`SELECT f.follower_id, p.created_at, p.id, p.user_id
          FROM posts p JOIN follows f ON f.followed_id = p.user_id
          WHERE (SELECT follower_count FROM users WHERE id = ${author.id}) <= ${threshold}
            AND p.user_id = ${author.id} AND p.form_key = ${formKey}`,
      )
      .onConflictDoNothing(),
    db
      .update(users)
      .set({ postCount: sql`(SELECT count(*) FROM posts WHERE user_id = ${author.id})` })
      .where(eq(users.id, author.id)),
    db.select({ followers: users.followerCount }).from(users).where(eq(users.id, author.id)),
  ])
  const big = fanout !== null && (audience[0]?.followers ?? 0) > threshold
  const id = inserted[0]?.id
  if (id !== undefined) {
    if (big) await enqueueFanout(fanout.queue, { kind: 'deliver', postId: id, after: null })
    return { id, body, language, createdAt: now, author, duplicate: false }
  }
  const first = await db
    .select(postColumns)
    .from(posts)
    .innerJoin(users, eq(users.id, posts.userId))
    .where(and(eq(posts.userId, author.id), eq(posts.formKey, formKey)))
    .get()
  if (!first) throw new Error('post insert returned no id and no post has its key')
  if (big) await enqueueFanout(fanout.queue, { kind: 'deliver', postId: first.id, after: null })
  return { ...first, duplicate: true }
}

const postById = prepareOnce((db) =>
  db
    .select(postColumns)
    .from(posts)
    .innerJoin(users, eq(users.id, posts.userId))
    .where(and(eq(posts.id, sql.placeholder('id')), authorLive))
    .limit(1)
    .prepare(),
)

export function postByIdRead(db: Db, id: number): Statement<PostView | null> {
  return bind(db, postById(db), { id }, (rows) => rows[0] ?? null)
}

export const getPostById = (db: Db, id: number) => runStatement(postByIdRead(db, id))

export type DeletePostResult = { ok: true } | { ok: false; reason: 'not-found' | 'forbidden' }

/**
 * Deletes a member's own post, in one `db.batch` (one transaction): its cached translations,
 * the post, the author's own timeline entry, the author's post count (recomputed, so two
 * racing deletes cannot drift it), and — for an author with at most `fanout.threshold`
 * followers — its copies in the followers' timelines. A bigger author's followers lose
 * their copies through the fan-out queue, in chunks, after the post row is gone (so a
 * delivery still running cannot put it back; fanout.ts). Copies are found through the
 * author's followers by primary key: `timeline_entries` has no index on post_id.
 * Someone else's post is `forbidden`; an unknown id is `not-found`.
 */
export async function deletePost(
  db: Db,
  postId: number,
  userId: number,
  fanout: Fanout | null = null,
): Promise<DeletePostResult> {
  const post = await db
    .select({ userId: posts.userId, createdAt: posts.createdAt, followers: users.followerCount })
    .from(posts)
    .innerJoin(users, eq(users.id, posts.userId))
    .where(eq(posts.id, postId))
    .get()
  if (!post) return { ok: false, reason: 'not-found' }
  if (post.userId !== userId) return { ok: false, reason: 'forbidden' }
  // Chosen from the count read above: if it changes before the batch, either way removes
  // every copy (the batch from the followers of that moment, or the queue after it).
  const big = fanout !== null && post.followers > fanout.threshold
  const entry = sql`created_at = ${post.createdAt} AND post_id = ${postId}`
  const others = db
    .delete(timelineEntries)
    .where(sql`${entry} AND owner_id IN (SELECT follower_id FROM follows WHERE followed_id = ${userId})`)
  const rest = [
    db.delete(timelineEntries).where(sql`owner_id = ${userId} AND ${entry}`),
    db.delete(postTranslations).where(eq(postTranslations.postId, postId)),
    db.delete(posts).where(and(eq(posts.id, postId), eq(posts.userId, userId))),
    db
      .update(users)
      .set({ postCount: sql`(SELECT count(*) FROM posts WHERE user_id = ${userId})` })
      .where(eq(users.id, userId)),
  ] as const
  if (big) {
    await db.batch(rest)
    await enqueueFanout(fanout.queue, {
      kind: 'remove',
      postId,
      authorId: userId,
      createdAt: post.createdAt,
      after: null,
    })
  } else {
    await db.batch([others, ...rest])
  }
  return { ok: true }
}
