import { and, eq, inArray, sql } from 'drizzle-orm'
import { conversations as conversationsTable, follows, timelineEntries, users } from '../../../db/schema'
import { createTranslator, isLang } from '../../../lib/i18n'
import { sendEmail } from '../../email/send'
import { getUserById } from '../../users/queries'
import { renderAccountDeletedEmail } from '../emails'
import { deleteExportFiles } from './export-files'
import { finishJob } from './queries'
import type { JobContext, StepResult } from './step'

/** Rows deleted per statement. */
export const DELETE_CHUNK_ROWS = 500
/** Members handled per follow step: with the member's own id it stays under D1's 100 bound parameters. */
const PEOPLE_PER_STEP = 90
/** Conversations per message step: their ids appear three times in one statement (≤ 100 parameters). */
const CONVERSATIONS_PER_STEP = 30

type Phase =
  'first-messages' | 'first-posts' | 'followers' | 'following' | 'own-timeline' | 'messages' | 'posts' | 'finish'

export type DeleteAccountCursor = { phase?: Phase; done?: number; total?: number }

/**
 * The phases in order. Every read hides the member from the moment of the confirmation, but
 * until their messages and posts are gone other members' unread badges still count them,
 * and explore and search step over each of their posts: those two go first. The later
 * `messages` and `posts` passes find anything that arrived meanwhile (usually nothing: one
 * query each), and a job begun before this order, whose cursor names one of them, goes on
 * as it was.
 */
const NEXT: Record<Phase, Phase> = {
  'first-messages': 'first-posts',
  'first-posts': 'followers',
  followers: 'following',
  following: 'own-timeline',
  'own-timeline': 'messages',
  messages: 'posts',
  posts: 'finish',
  finish: 'finish',
}
const FIRST: Phase = 'first-messages'

type Changes = { meta: { changes: number } }

async function run(ctx: JobContext, statement: ReturnType<typeof sql>): Promise<number> {
  const result = (await ctx.db.run(statement)) as unknown as Changes
  return result.meta.changes
}

/** The next few followers (follows_followed_idx) or followed members (follows_follower_created_idx). */
async function nextPeople(ctx: JobContext, side: 'followers' | 'following'): Promise<number[]> {
  const me = ctx.job.userId
  const rows =
    side === 'followers'
      ? await ctx.db.all<{ id: number }>(sql`SELECT follower_id AS id FROM follows WHERE followed_id = ${me}
          ORDER BY created_at, follower_id LIMIT ${PEOPLE_PER_STEP}`)
      : await ctx.db.all<{ id: number }>(sql`SELECT followed_id AS id FROM follows WHERE follower_id = ${me}
          ORDER BY created_at, followed_id LIMIT ${PEOPLE_PER_STEP}`)
  return rows.map((row) => row.id)
}

/** Their follow rows with the member go, and their counter is recomputed, in one transaction. */
async function removeFollows(ctx: JobContext, side: 'followers' | 'following', ids: number[]): Promise<void> {
  const me = ctx.job.userId
  await ctx.db.batch(
    side === 'followers'
      ? [
          // With the edge, in one transaction: a fan-out chunk that ran since the entries went
          // (fanout.ts) could have put one back, and without the edge nothing would remove it.
          ctx.db
            .delete(timelineEntries)
            .where(and(inArray(timelineEntries.ownerId, ids), eq(timelineEntries.authorId, me))),
          ctx.db.delete(follows).where(and(eq(follows.followedId, me), inArray(follows.followerId, ids))),
          ctx.db
            .update(users)
            .set({ followingCount: sql`(SELECT count(*) FROM follows WHERE follower_id = users.id)` })
            .where(inArray(users.id, ids)),
        ]
      : [
          ctx.db.delete(follows).where(and(eq(follows.followerId, me), inArray(follows.followedId, ids))),
          ctx.db
            .update(users)
            .set({ followerCount: sql`(SELECT count(*) FROM follows WHERE followed_id = users.id)` })
            .where(inArray(users.id, ids)),
        ],
  )
}

/**
 * One step of an account deletion. Every statement touches at most 500 rows, so however
 * many posts and followers the member had, no step is large; the cursor only names the
 * phase, because each phase deletes what it has done (a retry simply continues). Other
 * members' counters are recomputed from the follows table as their follow rows go.
 */
export async function runDeleteAccountStep(
  ctx: JobContext,
  cursor: DeleteAccountCursor,
): Promise<StepResult<DeleteAccountCursor>> {
  const me = ctx.job.userId
  const phase = cursor.phase ?? FIRST
  let done = cursor.done ?? 0
  let total = cursor.total ?? 0
  const step = (next: Phase, add = 0): StepResult<DeleteAccountCursor> => {
    done += add
    total = Math.max(total, done)
    return { cursor: { phase: next, done, total }, done, total, finished: false }
  }
  if (total === 0 && (phase === FIRST || phase === 'followers')) {
    const user = await getUserById(ctx.db, me)
    if (user) total = user.postCount + user.followerCount + user.followingCount
  }

  if (phase === 'followers') {
    // The next few followers (follows_followed_idx): first my posts leave their timelines,
    // 500 rows at a time (timeline_owner_author_idx), then the follow rows go and their
    // "following" counts are recomputed.
    const ids = await nextPeople(ctx, 'followers')
    if (ids.length === 0) return step(NEXT[phase])
    const list = sql.join(
      ids.map((id) => sql`${id}`),
      sql`, `,
    )
    const removed = await run(
      ctx,
      sql`DELETE FROM timeline_entries WHERE (owner_id, created_at, post_id) IN (
        SELECT owner_id, created_at, post_id FROM timeline_entries
        WHERE owner_id IN (${list}) AND author_id = ${me} LIMIT ${DELETE_CHUNK_ROWS})`,
    )
    if (removed === DELETE_CHUNK_ROWS) return step('followers')
    await removeFollows(ctx, 'followers', ids)
    return step('followers', ids.length)
  }

  if (phase === 'following') {
    const ids = await nextPeople(ctx, 'following')
    if (ids.length === 0) return step(NEXT[phase])
    await removeFollows(ctx, 'following', ids)
    return step('following', ids.length)
  }

  if (phase === 'own-timeline') {
    const removed = await run(
      ctx,
      sql`DELETE FROM timeline_entries WHERE (owner_id, created_at, post_id) IN (
        SELECT owner_id, created_at, post_id FROM timeline_entries WHERE owner_id = ${me} LIMIT ${DELETE_CHUNK_ROWS})`,
    )
    return step(removed === DELETE_CHUNK_ROWS ? phase : NEXT[phase])
  }

  if (phase === 'first-messages' || phase === 'messages') {
    // A few of the member's conversations at a time: their messages 500 at a time, then the
    // conversation rows, with the other members' unread badges lowered by what they had
    // unread there (the conversation row holds each side's unread count).
    const conversations = await ctx.db.all<{ id: number }>(sql`SELECT id FROM conversations
      WHERE user_a_id = ${me} OR user_b_id = ${me} LIMIT ${CONVERSATIONS_PER_STEP}`)
    if (conversations.length === 0) return step(NEXT[phase])
    const list = sql.join(
      conversations.map((row) => sql`${row.id}`),
      sql`, `,
    )
    const removed = await run(
      ctx,
      sql`DELETE FROM messages WHERE rowid IN (SELECT rowid FROM messages
        WHERE conversation_id IN (${list}) LIMIT ${DELETE_CHUNK_ROWS})`,
    )
    if (removed === DELETE_CHUNK_ROWS) return step(phase, removed)
    await ctx.db.batch([
      ctx.db
        .update(users)
        .set({
          unreadMessageCount: sql`max(0, unread_message_count - (SELECT coalesce(sum(CASE
            WHEN c.user_a_id = users.id THEN c.a_unread ELSE c.b_unread END), 0)
            FROM conversations c WHERE c.id IN (${list}) AND (c.user_a_id = users.id OR c.user_b_id = users.id)))`,
        })
        .where(
          sql`${users.id} IN (SELECT CASE WHEN user_a_id = ${me} THEN user_b_id ELSE user_a_id END
            FROM conversations WHERE id IN (${list}))`,
        ),
      ctx.db.delete(conversationsTable).where(
        inArray(
          conversationsTable.id,
          conversations.map((row) => row.id),
        ),
      ),
    ])
    return step(phase, removed)
  }

  if (phase === 'first-posts' || phase === 'posts') {
    // Timelines may still hold entries of these posts (the followers' phase removes them;
    // reads join posts, so they show nothing meanwhile); the delete cascades to translations
    // and, through its triggers, to the search index. Counted by RETURNING: D1's count of
    // changes includes the rows the search index's triggers change.
    const removed = await ctx.db.all<{ id: number }>(
      sql`DELETE FROM posts WHERE id IN (SELECT id FROM posts WHERE user_id = ${me} LIMIT ${DELETE_CHUNK_ROWS})
        RETURNING id`,
    )
    return step(removed.length === DELETE_CHUNK_ROWS ? phase : NEXT[phase], removed.length)
  }

  // finish: export files, then the email, then the row itself (sessions, reset tokens and
  // anything else left cascade with it).
  await deleteExportFiles(ctx.env, ctx.db, me)
  const user = await getUserById(ctx.db, me)
  if (user) {
    const lang = isLang(user.language) ? user.language : 'en'
    const email = await renderAccountDeletedEmail({ t: createTranslator(lang), lang, username: user.username })
    await sendEmail(ctx.env, { to: [user.email], ...email, idempotencyKey: `account-deleted:${ctx.job.id}` })
    await ctx.db.run(sql`DELETE FROM users WHERE id = ${me}`)
  }
  await finishJob(ctx.db, ctx.job.id, null)
  return { cursor: { phase: 'finish', done: total, total }, done: total, total, finished: true }
}
