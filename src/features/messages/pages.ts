import { and, eq, lt, Placeholder, sql, type SQL } from 'drizzle-orm'
import type { AnySQLiteColumn } from 'drizzle-orm/sqlite-core'
import { keysetArgs, keysetSelect, type KeysetCursor } from '../../db/keyset'
import {
  cachedRead,
  idArg,
  mergeValues,
  type IdArg,
  type Read,
  type Row,
  type Statement,
  type Values,
} from '../../db/read'
import type { Db } from '../../db/client'
import { conversations, messages, users } from '../../db/schema'
import { PAGE_SIZE, toPage, type Cursor, type Page } from '../../lib/cursor'
import type { ConversationView, MessageView } from './queries'

// The reads (and the mark-read writes) of the inbox and thread pages, as cached statements
// (db/read.ts: SQL text built by Drizzle once per isolate, values bound to placeholders,
// rows mapped by hand) that go into the page's one `db.batch` with the session lookup
// (`withSessionBatch`). A member is an id or an expression — the session's member, NULL
// for a dead session, which matches nothing — so the same statements serve the pages and
// direct callers.

/**
 * The inbox's parts: the member's conversations on one side of the pairs, each joined to
 * the other member's row, `range` limiting it to the page. Every result column has its own
 * name (D1 keys a batch's rows by column name).
 */
function inboxPart(
  db: Db,
  viewer: SQL | Placeholder,
  mine: AnySQLiteColumn,
  other: AnySQLiteColumn,
  unread: AnySQLiteColumn,
) {
  return (range: SQL | undefined) =>
    db
      .select({
        id: conversations.id,
        otherId: sql<number>`${other}`.as('other_id'),
        unread: sql<number>`${unread}`.as('unread'),
        lastMessageBody: conversations.lastMessageBody,
        lastSenderId: conversations.lastSenderId,
        lastMessageAt: conversations.lastMessageAt,
        username: users.username,
        email: users.email,
      })
      .from(conversations)
      .innerJoin(users, eq(users.id, other))
      .where(and(eq(mine, viewer), range))
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

/** A row of the inbox statement, mapped by hand. */
function conversationRow(r: Row): ConversationView {
  return {
    id: r.id as number,
    other: { id: r.other_id as number, username: r.username as string, email: r.email as string },
    lastMessageBody: r.last_message_body as string | null,
    lastSenderId: r.last_sender_id as number | null,
    lastMessageAt: r.last_message_at as number,
    unread: r.unread as number,
  }
}

/**
 * One inbox page, newest activity first, keyset-paginated on (last_message_at, id), as ONE
 * statement: the member is side "a" of some pairs and side "b" of others, so the page is a
 * `UNION ALL` of one index range per side (two per side after a cursor) under one ORDER BY
 * and LIMIT. SQLite merges the ordered parts (MERGE (UNION ALL)) and stops at the LIMIT, and
 * each part is a join evaluated row by row, so only the rows of the page (plus one look-ahead
 * per part) are read, with one `users` row each: about 2 × 27 rows, however many
 * conversations there are and however far one scrolls.
 */
export function inboxStatement(db: Db, viewer: IdArg, opts: { before: Cursor | null; limit?: number }) {
  const page = keysetArgs(opts)
  const member = idArg('viewer_id', viewer)
  return {
    key: `inbox:${member.key}:${page.key}`,
    build: () => {
      const sides = [
        inboxPart(db, member.sql, conversations.userAId, conversations.userBId, conversations.aUnread),
        inboxPart(db, member.sql, conversations.userBId, conversations.userAId, conversations.bUnread),
      ]
      const ranges = activityRanges(page.paging.before)
      const [first, ...rest] = sides.flatMap((part) => ranges.map((range) => part(range)))
      let query = first!.$dynamic()
      for (const part of rest) query = query.unionAll(part) as never
      return query.orderBy(byActivity).limit(page.limit)
    },
    values: mergeValues(member.values, page.values),
    row: conversationRow,
  } satisfies Statement<ConversationView>
}

export function inboxRead(
  db: Db,
  viewer: IdArg,
  opts: { before: Cursor | null; limit?: number },
): Read<Page<ConversationView>> {
  return cachedRead(db, inboxStatement(db, viewer, opts), (rows) => toPage(rows, conversationCursor, opts.limit))
}

const conversationCursor = (row: ConversationView): Cursor => ({ createdAt: row.lastMessageAt, id: row.id })

/** The two members' conversation row: `viewer` is side "a" when theirs is the smaller id. */
const pairWhere = (viewer: SQL | Placeholder, other: SQL | Placeholder) =>
  and(
    eq(conversations.userAId, sql`min(${viewer}, ${other})`),
    eq(conversations.userBId, sql`max(${viewer}, ${other})`),
  )

type Arg = { key: string; sql: SQL | Placeholder; values: Values }

/** The id of the two members' conversation, as a statement argument (NULL before a first message). */
export function pairConversationArg(viewer: IdArg, other: IdArg): Arg {
  const me = idArg('viewer_id', viewer)
  const them = idArg('other_id', other)
  return {
    key: `pair(${me.key},${them.key})`,
    sql: sql`(SELECT ${conversations.id} FROM ${conversations} WHERE ${pairWhere(me.sql, them.sql)})`,
    values: mergeValues(me.values, them.values),
  }
}

/** A message's columns, as `MessageView`. */
export const messageColumns = {
  id: messages.id,
  senderId: messages.senderId,
  recipientId: messages.recipientId,
  body: messages.body,
  createdAt: messages.createdAt,
}

function messageRow(r: Row): MessageView {
  return {
    id: r.id as number,
    senderId: r.sender_id as number,
    recipientId: r.recipient_id as number,
    body: r.body as string,
    createdAt: r.created_at as number,
  }
}

const messageCursor = (row: MessageView): Cursor => ({ createdAt: row.createdAt, id: row.id })

/**
 * One page of a thread: the newest 25 messages older than `before` (one index range, two
 * after a cursor), returned oldest first for display; `next` is the cursor of the page above.
 * The conversation is an id or `pairConversationArg` (a subquery, evaluated once).
 */
export function threadStatement(db: Db, conversation: number | Arg, opts: { before: Cursor | null; limit?: number }) {
  const page = keysetArgs(opts)
  const id = typeof conversation === 'number' ? idArg('conversation_id', conversation) : conversation
  return {
    key: `thread:${id.key}:${page.key}`,
    build: () =>
      keysetSelect(
        (range) =>
          db
            .select(messageColumns)
            .from(messages)
            .where(and(eq(messages.conversationId, id.sql), range))
            .$dynamic(),
        messages.createdAt,
        messages.id,
        page.paging,
        page.limit,
      ),
    values: mergeValues(id.values, page.values),
    row: messageRow,
  } satisfies Statement<MessageView>
}

export function threadRead(
  db: Db,
  conversation: number | Arg,
  opts: { before: Cursor | null; limit?: number },
): Read<Page<MessageView>> {
  return cachedRead(db, threadStatement(db, conversation, opts), (rows) => {
    const page = toPage(rows, messageCursor, opts.limit ?? PAGE_SIZE)
    return { items: page.items.reverse(), next: page.next }
  })
}

const READ_AT = new Placeholder('read_at')

/**
 * Marks `viewer`'s side of the pair's conversation read, as two statements for the page's
 * batch (after its reads, in this order): the reader's badge drops by what the conversation
 * had unread, read inside the transaction, and returns the new count; then the side's
 * unread count goes to zero and its last-read time to now. Both match nothing when nothing
 * is unread (no write, no row returned), the member is not in a conversation with `other`,
 * or the session is dead (`viewer` NULL) — the same writes as `markConversationRead`
 * without first reading the side.
 */
export function markPairReadReads(db: Db, viewer: IdArg, other: IdArg, now: number) {
  const me = idArg('viewer_id', viewer)
  const them = idArg('other_id', other)
  const key = `${me.key},${them.key}`
  const values = mergeValues(me.values, them.values, { read_at: now })
  const readerIsA = sql`${conversations.userAId} = ${me.sql}`
  const unreadHere = sql`CASE WHEN ${readerIsA} THEN ${conversations.aUnread} ELSE ${conversations.bUnread} END`
  const badge: Statement<number> = {
    key: `markRead:badge:${key}`,
    build: () => {
      const pairUnread = sql`(SELECT ${unreadHere} FROM ${conversations} WHERE ${pairWhere(me.sql, them.sql)})`
      return db
        .update(users)
        .set({ unreadMessageCount: sql`max(0, ${users.unreadMessageCount} - ${pairUnread})` })
        .where(and(eq(users.id, me.sql), sql`${pairUnread} > 0`))
        .returning({ unread: users.unreadMessageCount })
    },
    values,
    row: (r) => r.unread_message_count as number,
  }
  const side: Statement<never> = {
    key: `markRead:side:${key}`,
    build: () =>
      db
        .update(conversations)
        .set({
          aUnread: sql`CASE WHEN ${readerIsA} THEN 0 ELSE ${conversations.aUnread} END`,
          bUnread: sql`CASE WHEN ${readerIsA} THEN ${conversations.bUnread} ELSE 0 END`,
          aLastReadAt: sql`CASE WHEN ${readerIsA} THEN max(${conversations.aLastReadAt}, ${READ_AT}) ELSE ${conversations.aLastReadAt} END`,
          bLastReadAt: sql`CASE WHEN ${readerIsA} THEN ${conversations.bLastReadAt} ELSE max(${conversations.bLastReadAt}, ${READ_AT}) END`,
        })
        .where(and(pairWhere(me.sql, them.sql), sql`${unreadHere} > 0`)),
    values,
    row: () => undefined as never,
  }
  return [cachedRead(db, badge, (rows): number | null => rows[0] ?? null), cachedRead(db, side, () => null)] as const
}
