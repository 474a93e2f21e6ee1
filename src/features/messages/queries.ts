import { and, eq, sql } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { runRead } from '../../db/read'
import { conversations, messages, users, type Conversation } from '../../db/schema'
import type { Cursor } from '../../lib/cursor'
import { inboxRead, messageColumns, threadRead } from './pages'

// Private messages. A conversation row per pair of members (`user_a_id` < `user_b_id`) holds
// the inbox's data: last message, per-side unread count and last-read time. Every write
// below updates it — and the recipient's `users.unread_message_count` (the badge) — in the
// same `db.batch` as the message itself, so they never drift apart.

/** The pair's columns in canonical order: the smaller id is side "a". */
function pairOf(oneId: number, otherId: number) {
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
 * A member's inbox, newest activity first, keyset-paginated on (last_message_at, id): one
 * statement, bounded rows however many conversations there are (see `inboxRead`).
 */
export function listConversations(db: Db, userId: number, opts: { before: Cursor | null; limit?: number }) {
  return runRead(inboxRead(db, userId, opts))
}

/**
 * One page of a thread: the newest 25 messages older than `before`, returned oldest first
 * for display; `next` is the cursor of the page above.
 */
export function listThreadMessages(db: Db, conversationId: number, opts: { before: Cursor | null; limit?: number }) {
  return runRead(threadRead(db, conversationId, opts))
}

export async function getMessageById(db: Db, id: number): Promise<MessageView | null> {
  const row = await db.select(messageColumns).from(messages).where(eq(messages.id, id)).get()
  return row ?? null
}

/**
 * Sends a message, atomically: creates or updates the pair's conversation row (last message,
 * the recipient's unread count), inserts the message and bumps the recipient's badge count.
 * Returns the message and the recipient's new badge count.
 */
export async function sendMessage(
  db: Db,
  senderId: number,
  recipientId: number,
  body: string,
  now = Date.now(),
): Promise<{ message: MessageView; recipientUnread: number }> {
  const { a, b } = pairOf(senderId, recipientId)
  const recipientIsA = recipientId === a
  const [, inserted, badge] = await db.batch([
    db
      .insert(conversations)
      .values({
        userAId: a,
        userBId: b,
        lastMessageBody: body,
        lastSenderId: senderId,
        lastMessageAt: now,
        aUnread: recipientIsA ? 1 : 0,
        bUnread: recipientIsA ? 0 : 1,
        createdAt: now,
      })
      .onConflictDoUpdate({
        target: [conversations.userAId, conversations.userBId],
        set: {
          lastMessageBody: body,
          lastSenderId: senderId,
          lastMessageAt: sql`max(${conversations.lastMessageAt}, ${now})`,
          ...(recipientIsA
            ? { aUnread: sql`${conversations.aUnread} + 1` }
            : { bUnread: sql`${conversations.bUnread} + 1` }),
        },
      }),
    db
      .insert(messages)
      .values({
        conversationId: sql`(SELECT id FROM conversations WHERE user_a_id = ${a} AND user_b_id = ${b})`,
        senderId,
        recipientId,
        body,
        createdAt: now,
      })
      .returning({ id: messages.id }),
    db
      .update(users)
      .set({ unreadMessageCount: sql`${users.unreadMessageCount} + 1` })
      .where(eq(users.id, recipientId))
      .returning({ unread: users.unreadMessageCount }),
  ])
  const id = inserted[0]?.id
  if (id === undefined) throw new Error('message insert returned no id')
  return {
    message: { id, senderId, recipientId, body, createdAt: now },
    recipientUnread: badge[0]?.unread ?? 0,
  }
}

/**
 * Marks the reader's side of a conversation read: its unread count goes to zero, its
 * last-read time to now, and the reader's badge count drops by the same amount — one
 * conversation row and one user row, however many messages were unread. Returns the
 * reader's new badge count, or null when nothing was unread (nothing written).
 */
export async function markConversationRead(
  db: Db,
  readerId: number,
  conversation: ConversationSide,
  now = Date.now(),
): Promise<number | null> {
  if (conversation.unread === 0) return null
  const isA = conversation.readerIsA
  const unreadCol = sql.raw(isA ? 'a_unread' : 'b_unread')
  const [badge] = await db.batch([
    // Subtract what this conversation had unread, read inside the transaction (not the
    // possibly stale value the page loaded), so a message arriving meanwhile is not lost.
    db
      .update(users)
      .set({
        unreadMessageCount: sql`max(0, ${users.unreadMessageCount} -
          (SELECT ${unreadCol} FROM conversations WHERE id = ${conversation.id}))`,
      })
      .where(eq(users.id, readerId))
      .returning({ unread: users.unreadMessageCount }),
    db
      .update(conversations)
      .set(
        isA
          ? { aUnread: 0, aLastReadAt: sql`max(${conversations.aLastReadAt}, ${now})` }
          : { bUnread: 0, bLastReadAt: sql`max(${conversations.bLastReadAt}, ${now})` },
      )
      .where(eq(conversations.id, conversation.id)),
  ])
  return badge[0]?.unread ?? 0
}

/**
 * Deletes a message its sender wrote, for both members, atomically: if the recipient had
 * not read it yet, their unread counts drop by one; the conversation's "last message" is
 * recomputed from what remains. `deleted` is false when the message is not `senderId`'s
 * (or already gone); `recipientUnread` is the recipient's new badge count.
 */
export async function deleteOwnMessage(
  db: Db,
  senderId: number,
  message: MessageView,
): Promise<{ deleted: boolean; recipientUnread: number }> {
  const recipientId = message.recipientId
  const { a, b } = pairOf(senderId, recipientId)
  const recipientIsA = recipientId === a
  const unreadCol = sql.raw(recipientIsA ? 'a_unread' : 'b_unread')
  const readCol = sql.raw(recipientIsA ? 'a_last_read_at' : 'b_last_read_at')
  // True while the message exists, is the sender's, and the recipient has not read it.
  const unreadByRecipient = sql`EXISTS (SELECT 1 FROM messages m JOIN conversations c ON c.id = m.conversation_id
    WHERE m.id = ${message.id} AND m.sender_id = ${senderId} AND m.created_at > c.${readCol} AND c.${unreadCol} > 0)`
  const [badge, , deleted] = await db.batch([
    db
      .update(users)
      .set({
        unreadMessageCount: sql`CASE WHEN ${unreadByRecipient} THEN max(0, ${users.unreadMessageCount} - 1)
          ELSE ${users.unreadMessageCount} END`,
      })
      .where(eq(users.id, recipientId))
      .returning({ unread: users.unreadMessageCount }),
    db
      .update(conversations)
      .set(
        recipientIsA ? { aUnread: sql`${conversations.aUnread} - 1` } : { bUnread: sql`${conversations.bUnread} - 1` },
      )
      .where(and(eq(conversations.userAId, a), eq(conversations.userBId, b), unreadByRecipient)),
    db
      .delete(messages)
      .where(and(eq(messages.id, message.id), eq(messages.senderId, senderId)))
      .returning({ id: messages.id }),
    db
      .update(conversations)
      .set({
        lastMessageBody: sql`(SELECT body FROM messages WHERE conversation_id = conversations.id
          ORDER BY created_at DESC, id DESC LIMIT 1)`,
        lastSenderId: sql`(SELECT sender_id FROM messages WHERE conversation_id = conversations.id
          ORDER BY created_at DESC, id DESC LIMIT 1)`,
      })
      .where(and(eq(conversations.userAId, a), eq(conversations.userBId, b))),
  ])
  return { deleted: deleted.length > 0, recipientUnread: badge[0]?.unread ?? 0 }
}
