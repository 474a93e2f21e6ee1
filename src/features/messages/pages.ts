import { and, eq, lt, sql, type SQL } from 'drizzle-orm'
import type { AnySQLiteColumn } from 'drizzle-orm/sqlite-core'
import { keysetSelect } from '../../db/keyset'
import { read, type Read } from '../../db/read'
import type { Db } from '../../db/client'
import { conversations, messages, users } from '../../db/schema'
import { PAGE_SIZE, toPage, type Cursor, type Page } from '../../lib/cursor'
import type { ConversationView, MessageView } from './queries'

// The reads (and the mark-read writes) of the inbox and thread pages, as statements that go
// into the page's one `db.batch` with the session lookup (`withSessionBatch`). A member is
// a number or an SQL expression — the session's member id, NULL for a dead session, which
// matches nothing — so the same functions serve the pages and direct callers.

type Member = number | SQL

/**
 * The inbox's parts: the member's conversations on one side of the pairs, each joined to
 * the other member's row, `range` limiting it to the page. The select names every column
 * differently (D1 keys a batch's rows by column name).
 */
function inboxPart(db: Db, viewer: Member, mine: AnySQLiteColumn, other: AnySQLiteColumn, unread: AnySQLiteColumn) {
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

const byActivity = sql`${sql.identifier('conversations')}.${sql.identifier('last_message_at')} desc, ${sql.identifier('conversations')}.${sql.identifier('id')} desc`

/**
 * One inbox page, newest activity first, keyset-paginated on (last_message_at, id), as ONE
 * statement: the member is side "a" of some pairs and side "b" of others, so the page is a
 * `UNION ALL` of one index range per side (two per side after a cursor: the cursor's
 * millisecond with a smaller id, then strictly older — see db/keyset.ts) under one ORDER BY
 * and LIMIT. SQLite merges the ordered parts (MERGE (UNION ALL)) and stops at the LIMIT, and
 * each part is a join evaluated row by row, so only the rows of the page (plus one look-ahead
 * per part) are read, with one `users` row each: about 2 × 27 rows, however many
 * conversations there are and however far one scrolls.
 */
export function inboxRead(
  db: Db,
  viewer: Member,
  opts: { before: Cursor | null; limit?: number },
): Read<Page<ConversationView>> {
  const size = opts.limit ?? PAGE_SIZE
  const sides = [
    inboxPart(db, viewer, conversations.userAId, conversations.userBId, conversations.aUnread),
    inboxPart(db, viewer, conversations.userBId, conversations.userAId, conversations.bUnread),
  ]
  const cursor = opts.before
  const ranges: (SQL | undefined)[] = cursor
    ? [
        and(eq(conversations.lastMessageAt, cursor.createdAt), lt(conversations.id, cursor.id)),
        lt(conversations.lastMessageAt, cursor.createdAt),
      ]
    : [undefined]
  const [first, ...rest] = sides.flatMap((part) => ranges.map((range) => part(range)))
  let query = first!.$dynamic()
  for (const part of rest) query = query.unionAll(part) as never
  return read(query.orderBy(byActivity).limit(size + 1), (rows) =>
    toPage(
      rows.map(({ otherId, username, email, ...row }) => ({ ...row, other: { id: otherId, username, email } })),
      conversationCursor,
      size,
    ),
  )
}

const conversationCursor = (row: ConversationView): Cursor => ({ createdAt: row.lastMessageAt, id: row.id })

/** `viewer`'s side of the pair's conversation row is side "a" (the smaller id). */
const pairWhere = (viewer: Member, other: Member) =>
  and(
    eq(conversations.userAId, sql`min(${viewer}, ${other})`),
    eq(conversations.userBId, sql`max(${viewer}, ${other})`),
  )

/** The id of the two members' conversation as an SQL expression (NULL before a first message). */
export function pairConversationId(viewer: Member, other: Member): SQL {
  return sql`(SELECT ${conversations.id} FROM ${conversations} WHERE ${pairWhere(viewer, other)})`
}

/** A message's columns, as `MessageView`. */
export const messageColumns = {
  id: messages.id,
  senderId: messages.senderId,
  recipientId: messages.recipientId,
  body: messages.body,
  createdAt: messages.createdAt,
}

const messageCursor = (row: MessageView): Cursor => ({ createdAt: row.createdAt, id: row.id })

/**
 * One page of a thread: the newest 25 messages older than `before` (one index range, two
 * after a cursor), returned oldest first for display; `next` is the cursor of the page above.
 * `conversationId` may be an expression (`pairConversationId`), evaluated once.
 */
export function threadRead(
  db: Db,
  conversationId: number | SQL,
  opts: { before: Cursor | null; limit?: number },
): Read<Page<MessageView>> {
  const query = keysetSelect(
    (range) =>
      db
        .select(messageColumns)
        .from(messages)
        .where(and(eq(messages.conversationId, conversationId), range))
        .$dynamic(),
    messages.createdAt,
    messages.id,
    { before: opts.before },
    (opts.limit ?? PAGE_SIZE) + 1,
  )
  return read(query, (rows) => {
    const page = toPage(rows, messageCursor, opts.limit)
    return { items: page.items.reverse(), next: page.next }
  })
}

/**
 * Marks `viewer`'s side of the pair's conversation read, as two statements for the page's
 * batch (after its reads, in this order): the reader's badge drops by what the conversation
 * had unread, read inside the transaction, and returns the new count; then the side's
 * unread count goes to zero and its last-read time to now. Both match nothing when nothing
 * is unread (no write, no row returned), the member is not in a conversation with `other`,
 * or the session is dead (`viewer` NULL) — the same writes as `markConversationRead`
 * without first reading the side.
 */
export function markPairReadStatements(db: Db, viewer: Member, other: Member, now: number) {
  const readerIsA = sql`${conversations.userAId} = ${viewer}`
  const unreadHere = sql`(SELECT CASE WHEN ${readerIsA} THEN ${conversations.aUnread} ELSE ${conversations.bUnread} END
    FROM ${conversations} WHERE ${pairWhere(viewer, other)})`
  return [
    read(
      db
        .update(users)
        .set({ unreadMessageCount: sql`max(0, ${users.unreadMessageCount} - ${unreadHere})` })
        .where(and(eq(users.id, viewer), sql`${unreadHere} > 0`))
        .returning({ unread: users.unreadMessageCount }),
      (rows): number | null => rows[0]?.unread ?? null,
    ),
    read(
      db
        .update(conversations)
        .set({
          aUnread: sql`CASE WHEN ${readerIsA} THEN 0 ELSE ${conversations.aUnread} END`,
          bUnread: sql`CASE WHEN ${readerIsA} THEN ${conversations.bUnread} ELSE 0 END`,
          aLastReadAt: sql`CASE WHEN ${readerIsA} THEN max(${conversations.aLastReadAt}, ${now}) ELSE ${conversations.aLastReadAt} END`,
          bLastReadAt: sql`CASE WHEN ${readerIsA} THEN ${conversations.bLastReadAt} ELSE max(${conversations.bLastReadAt}, ${now}) END`,
        })
        .where(
          and(
            pairWhere(viewer, other),
            sql`CASE WHEN ${readerIsA} THEN ${conversations.aUnread} ELSE ${conversations.bUnread} END > 0`,
          ),
        ),
      () => null,
    ),
  ] as const
}
