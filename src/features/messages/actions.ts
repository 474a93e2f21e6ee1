import { and, eq, sql } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { memberIdSql, memberIdValues, memberKind, type MemberKind, type MemberRef } from '../../db/member'
import { bind, prepareOnce, runBatch } from '../../db/read'
import { conversations, messages, users, type User } from '../../db/schema'
import { hitRateLimit } from '../../middleware/rate-limit'
import type { Runtime } from '../../middleware/runtime'
import { notifyMembers } from '../live/notify'
import { userByUsernameRead } from '../users/queries'
import { getMessageById, pairOf, pairWhere, type ConversationSide, type MessageView } from './queries'
import { MESSAGE_RATE_LIMITS } from './schemas'
import { messageDeletedEvent, messageEvent, unreadEvent } from './views'

// Private messages. First what the thread page's forms and the API call — one function per
// write, each with its limits, refusals and live notices — then the writes they are made of.

export type SendOutcome =
  | { ok: true; message: MessageView }
  | { ok: false; error: 'yourself' }
  | { ok: false; error: 'rate-limited'; retryAfter: number }

/**
 * Sends a message whose body has passed `messageSchema`: within the sender's limits (a burst
 * window and a daily cap; only valid messages count), the message with its conversation row
 * and the recipient's badge, then — after the answer — the recipient's open pages get the
 * badge and, where the thread is open, the message.
 */
export async function sendMessageTo(
  db: Db,
  runtime: Runtime,
  sender: User,
  recipient: User,
  body: string,
): Promise<SendOutcome> {
  if (recipient.id === sender.id) return { ok: false, error: 'yourself' }
  for (const [name, rule] of Object.entries(MESSAGE_RATE_LIMITS)) {
    const state = await hitRateLimit(db, `messages:${name}:${sender.id}`, rule)
    if (state.limited) return { ok: false, error: 'rate-limited', retryAfter: state.retryAfterSeconds }
  }
  const { message, recipientUnread } = await sendMessage(db, sender.id, recipient.id, body)
  notifyMembers(runtime, [
    {
      userId: recipient.id,
      event: messageEvent({ from: sender, message, unread: recipientUnread }),
    },
  ])
  return { ok: true, message }
}

export type MarkReadOutcome =
  /** `unread`: the reader's new badge count, or null when nothing was unread (nothing written). */
  { ok: true; other: User; unread: number | null } | { ok: false; error: 'not-found' | 'yourself' }

/**
 * Marks the reader's side of their conversation with the member named `otherName` read,
 * in one batch with the look-up of that member (the writes find nothing for an unknown
 * member or yourself); the reader's other tabs then get the new badge.
 */
export async function markThreadRead(
  db: Db,
  runtime: Runtime,
  reader: User,
  otherName: string,
  now = Date.now(),
): Promise<MarkReadOutcome> {
  const [marked, markSide] = markThreadReadWrites(db, { id: reader.id }, { username: otherName }, now)
  const [other, unread] = await runBatch(db, [userByUsernameRead(db, otherName), marked, markSide])
  if (!other) return { ok: false, error: 'not-found' }
  if (other.id === reader.id) return { ok: false, error: 'yourself' }
  if (unread !== null) announceUnread(runtime, reader.id, unread)
  return { ok: true, other, unread }
}

/**
 * After a thread was marked read, the reader's other tabs update their badge. The thread
 * page marks it read inside its own one-round-trip batch and then calls this.
 */
export function announceUnread(runtime: Runtime, readerId: number, count: number) {
  notifyMembers(runtime, [{ userId: readerId, event: unreadEvent(count) }])
}

export type DeleteMessageOutcome = { ok: true; message: MessageView } | { ok: false; error: 'not-found' | 'not-yours' }

/**
 * Deletes a message the member sent, for both members; the recipient's open pages lose it
 * and get the corrected badge. `inThreadWith`: a door that names the thread too (the API's
 * `/messages/{username}/{id}`) does not find a message of another thread there.
 */
export async function deleteSentMessage(
  db: Db,
  runtime: Runtime,
  sender: User,
  messageId: number,
  opts: { inThreadWith?: number } = {},
): Promise<DeleteMessageOutcome> {
  const message = await getMessageById(db, messageId)
  if (!message || (opts.inThreadWith !== undefined && !inThread(message, sender.id, opts.inThreadWith))) {
    return { ok: false, error: 'not-found' }
  }
  if (message.senderId !== sender.id) return { ok: false, error: 'not-yours' }
  const result = await deleteOwnMessage(db, sender.id, message)
  if (!result.deleted) return { ok: false, error: 'not-found' }
  notifyMembers(runtime, [
    {
      userId: message.recipientId,
      event: messageDeletedEvent(message.id, result.recipientUnread),
    },
  ])
  return { ok: true, message }
}

function inThread(message: MessageView, oneId: number, otherId: number): boolean {
  return (
    (message.senderId === oneId && message.recipientId === otherId) ||
    (message.senderId === otherId && message.recipientId === oneId)
  )
}

// The writes of private messages, in D1. Every write updates the pair's conversation row — and the
// recipient's `users.unread_message_count` (the badge) — in the same `db.batch` as the
// message itself, so they never drift apart.

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

const markRead = prepareOnce((db, viewer: MemberKind, other: MemberKind) => {
  const [me, them] = [memberIdSql(viewer, 'viewer'), memberIdSql(other, 'other')]
  const readAt = sql.placeholder('read_at')
  const readerIsA = sql`${conversations.userAId} = ${me}`
  const unreadHere = sql`CASE WHEN ${readerIsA} THEN ${conversations.aUnread} ELSE ${conversations.bUnread} END`
  const pairUnread = sql`(SELECT ${unreadHere} FROM ${conversations} WHERE ${pairWhere(me, them)})`
  return {
    badge: db
      .update(users)
      .set({ unreadMessageCount: sql`max(0, ${users.unreadMessageCount} - ${pairUnread})` })
      .where(and(eq(users.id, me), sql`${pairUnread} > 0`))
      .returning({ unread: users.unreadMessageCount })
      .prepare(),
    side: db
      .update(conversations)
      .set({
        aUnread: sql`CASE WHEN ${readerIsA} THEN 0 ELSE ${conversations.aUnread} END`,
        bUnread: sql`CASE WHEN ${readerIsA} THEN ${conversations.bUnread} ELSE 0 END`,
        aLastReadAt: sql`CASE WHEN ${readerIsA} THEN max(${conversations.aLastReadAt}, ${readAt}) ELSE ${conversations.aLastReadAt} END`,
        bLastReadAt: sql`CASE WHEN ${readerIsA} THEN ${conversations.bLastReadAt} ELSE max(${conversations.bLastReadAt}, ${readAt}) END`,
      })
      .where(and(pairWhere(me, them), sql`${unreadHere} > 0`))
      .prepare(),
  }
})

/**
 * `markConversationRead` for a page's batch, without reading the side first: two writes
 * that go after the page's reads, in this order. The reader's badge drops by what the pair's
 * conversation had unread, read inside the transaction, and the first returns the new count
 * (null when nothing was written); then the side's unread count goes to zero and its
 * last-read time to `now`. Both write nothing when nothing is unread, `viewer` is not in a
 * conversation with `other`, or `viewer` is a dead session.
 */
export function markThreadReadWrites(db: Db, viewer: MemberRef, other: MemberRef, now: number) {
  const writes = markRead(db, memberKind(viewer), memberKind(other))
  const values = { ...memberIdValues(viewer, 'viewer'), ...memberIdValues(other, 'other'), read_at: now }
  return [
    bind(db, writes.badge, values, (rows): number | null => rows[0]?.unread ?? null),
    bind(db, writes.side, values, () => null),
  ] as const
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
