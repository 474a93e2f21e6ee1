import { and, eq, isNull, lt, sql, type SQL } from 'drizzle-orm'
import type { AnySQLiteColumn } from 'drizzle-orm/sqlite-core'
import type { Db } from '../../db/client'
import { keysetSelect, pagePlaceholders, pageValues, type KeysetCursor, type PageKind } from '../../db/keyset'
import { memberIdSql, memberIdValues, memberKind, type MemberKind, type MemberRef } from '../../db/member'
import { bind, prepareOnce, runStatement, type Statement } from '../../db/read'
import { conversations, messages, users, type Conversation } from '../../db/schema'
import { PAGE_SIZE, toPage, type Cursor, type Page } from '../../lib/cursor'

// The reads of private messages (the writes are in actions.ts). A conversation row per pair
// of members (`user_a_id` < `user_b_id`) holds the inbox's data: last message, per-side
// unread count and last-read time.

/** The pair's columns in canonical order: the smaller id is side "a". */
export function pairOf(oneId: number, otherId: number) {
  return oneId < otherId ? { a: oneId, b: otherId } : { a: otherId, b: oneId }
}

/** A message as the views need it. */
export type MessageView = {
  id: number
  senderId: number
  recipientId: number
  body: string
  createdAt: number
}

/** One inbox row, from the reader's side. */
export type ConversationView = {
  id: number
  other: { id: number; username: string; email: string }
  lastMessageBody: string | null
  lastSenderId: number | null
  lastMessageAt: number
  unread: number
}

/** The reader's side of a conversation row. */
export type ConversationSide = {
  id: number
  /** Whether the reader is side "a" (the smaller id) of the pair. */
  readerIsA: boolean
  unread: number
  lastReadAt: number
  otherLastReadAt: number
}

/** The conversation of two members, seen from `viewerId`'s side; null before a first message. */
export async function getConversationSide(db: Db, viewerId: number, otherId: number): Promise<ConversationSide | null> {
  const { a, b } = pairOf(viewerId, otherId)
  const row = await db
    .select()
    .from(conversations)
    .where(and(eq(conversations.userAId, a), eq(conversations.userBId, b)))
    .get()
  return row ? sideOf(row, viewerId) : null
}

function sideOf(row: Conversation, viewerId: number): ConversationSide {
  const isA = row.userAId === viewerId
  return {
    id: row.id,
    readerIsA: isA,
    unread: isA ? row.aUnread : row.bUnread,
    lastReadAt: isA ? row.aLastReadAt : row.bLastReadAt,
    otherLastReadAt: isA ? row.bLastReadAt : row.aLastReadAt,
  }
}

/**
 * The inbox's parts: the member's conversations on one side of the pairs, each joined to
 * the other member's row, `range` limiting it to the page. Every result column has its own
 * name (D1 keys a batch's rows by column name).
 */
function inboxPart(db: Db, viewer: SQL, mine: AnySQLiteColumn, other: AnySQLiteColumn, unread: AnySQLiteColumn) {
  return (range: SQL | undefined) =>
    db
      .select({
        id: conversations.id,
        other: {
          id: sql<number>`${other}`.as('other_id'),
          username: users.username,
          email: users.email,
        },
        lastMessageBody: conversations.lastMessageBody,
        lastSenderId: conversations.lastSenderId,
        lastMessageAt: conversations.lastMessageAt,
        unread: sql<number>`${unread}`.as('unread'),
      })
      .from(conversations)
      .innerJoin(users, eq(users.id, other))
      // A conversation with a member being deleted leaves the inbox at once (the job
      // removes it, and lowers the unread badge, in chunks). A filter on the joined member
      // row is safe here: a member has fewer conversations than the site has members, so
      // SQLite never reads the whole table for it (see notBeingDeleted in db/member.ts).
      .where(and(eq(mine, viewer), isNull(users.deletedAt), range))
}

/** The cursor's millisecond with a smaller id, then strictly older (see db/keyset.ts). */
function activityRanges(cursor: KeysetCursor | null): (SQL | undefined)[] {
  if (!cursor) return [undefined]
  return [
    and(eq(conversations.lastMessageAt, cursor.createdAt), lt(conversations.id, cursor.id)),
    lt(conversations.lastMessageAt, cursor.createdAt),
  ]
}

const byActivity = sql`${sql.identifier('conversations')}.${sql.identifier('last_message_at')} desc, ${sql.identifier('conversations')}.${sql.identifier('id')} desc`

/**
 * One inbox page, newest activity first, keyset-paginated on (last_message_at, id), as ONE
 * statement: the member is side "a" of some pairs and side "b" of others, so the page is a
 * `UNION ALL` of one index range per side (two per side after a cursor) under one ORDER BY
 * and LIMIT. SQLite merges the ordered parts (MERGE (UNION ALL)) and stops at the LIMIT, and
 * each part is a join evaluated row by row, so only the rows of the page (plus one look-ahead
 * per part) are read, with one `users` row each: about 2 × 27 rows, however many
 * conversations there are and however far one scrolls.
 */
const inbox = prepareOnce((db, viewer: MemberKind, page: PageKind) => {
  const { paging, limit } = pagePlaceholders(page)
  const me = memberIdSql(viewer, 'viewer')
  const sides = [
    inboxPart(db, me, conversations.userAId, conversations.userBId, conversations.aUnread),
    inboxPart(db, me, conversations.userBId, conversations.userAId, conversations.bUnread),
  ]
  const ranges = activityRanges(paging.before)
  const [first, ...rest] = sides.flatMap((part) => ranges.map((range) => part(range)))
  let query = first!.$dynamic()
  for (const part of rest) query = query.unionAll(part) as never
  return query.orderBy(byActivity).limit(limit).prepare()
})

const conversationCursor = (row: ConversationView): Cursor => ({ createdAt: row.lastMessageAt, id: row.id })

/** A member's inbox page (the inbox page names the member by the session cookie). */
export function inboxRead(
  db: Db,
  viewer: MemberRef,
  opts: { before: Cursor | null; limit?: number },
): Statement<Page<ConversationView>> {
  const page = pageValues(opts)
  return bind(
    db,
    inbox(db, memberKind(viewer), page.kind),
    { ...memberIdValues(viewer, 'viewer'), ...page.values },
    (rows) => toPage(rows, conversationCursor, opts.limit),
  )
}

export function listConversations(db: Db, userId: number, opts: { before: Cursor | null; limit?: number }) {
  return runStatement(inboxRead(db, { id: userId }, opts))
}

/** The two members' conversation row: `viewer` is side "a" when theirs is the smaller id. */
export const pairWhere = (viewer: SQL, other: SQL) =>
  and(
    eq(conversations.userAId, sql`min(${viewer}, ${other})`),
    eq(conversations.userBId, sql`max(${viewer}, ${other})`),
  )

/** A message's columns, as `MessageView`. */
const messageColumns = {
  id: messages.id,
  senderId: messages.senderId,
  recipientId: messages.recipientId,
  body: messages.body,
  createdAt: messages.createdAt,
}

function threadQuery(db: Db, conversation: SQL, page: PageKind) {
  const { paging, limit } = pagePlaceholders(page)
  return keysetSelect(
    (range) =>
      db
        .select(messageColumns)
        .from(messages)
        .where(and(eq(messages.conversationId, conversation), range))
        .$dynamic(),
    messages.createdAt,
    messages.id,
    paging,
    limit,
  ).prepare()
}

const threadById = prepareOnce((db, page: PageKind) => threadQuery(db, sql`${sql.placeholder('conversation')}`, page))

// The pair's conversation as a subquery (evaluated once): NULL before a first message.
const threadOfPair = prepareOnce((db, viewer: MemberKind, other: MemberKind, page: PageKind) => {
  const [me, them] = [memberIdSql(viewer, 'viewer'), memberIdSql(other, 'other')]
  return threadQuery(db, sql`(SELECT ${conversations.id} FROM ${conversations} WHERE ${pairWhere(me, them)})`, page)
})

/** A thread: a conversation by id, or the conversation of two members. */
export type ThreadOf = { conversationId: number } | { viewer: MemberRef; other: MemberRef }

const messageCursor = (row: MessageView): Cursor => ({ createdAt: row.createdAt, id: row.id })

/**
 * One page of a thread: the newest 25 messages older than `before` (one index range, two
 * after a cursor), returned oldest first for display; `next` is the cursor of the page above.
 */
export function threadRead(
  db: Db,
  thread: ThreadOf,
  opts: { before: Cursor | null; limit?: number },
): Statement<Page<MessageView>> {
  const page = pageValues(opts)
  const [query, values] =
    'conversationId' in thread
      ? [threadById(db, page.kind), { conversation: thread.conversationId }]
      : [
          threadOfPair(db, memberKind(thread.viewer), memberKind(thread.other), page.kind),
          { ...memberIdValues(thread.viewer, 'viewer'), ...memberIdValues(thread.other, 'other') },
        ]
  return bind(db, query, { ...values, ...page.values }, (rows) => {
    const { items, next } = toPage(rows, messageCursor, opts.limit ?? PAGE_SIZE)
    return { items: items.reverse(), next }
  })
}

export function listThreadMessages(db: Db, conversationId: number, opts: { before: Cursor | null; limit?: number }) {
  return runStatement(threadRead(db, { conversationId }, opts))
}

export async function getMessageById(db: Db, id: number): Promise<MessageView | null> {
  const row = await db.select(messageColumns).from(messages).where(eq(messages.id, id)).get()
  return row ?? null
}
