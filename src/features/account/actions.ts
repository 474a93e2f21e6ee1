import { and, eq, ne } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { emailChangeTokens, sessions, users } from '../../db/schema'

/**
 * Ends one of the member's sessions; someone else's id (or a gone one) ends nothing.
 * Returns whether a session was ended.
 */
export async function revokeSession(db: Db, userId: number, sessionId: string): Promise<boolean> {
  const gone = await db
    .delete(sessions)
    .where(and(eq(sessions.id, sessionId), eq(sessions.userId, userId)))
    .returning({ id: sessions.id })
  return gone.length > 0
}

/** "Log out everywhere else": every session of the member but `keepId`. Returns the ids ended. */
export async function revokeOtherSessions(db: Db, userId: number, keepId: string): Promise<string[]> {
  const gone = await db
    .delete(sessions)
    .where(and(eq(sessions.userId, userId), ne(sessions.id, keepId)))
    .returning({ id: sessions.id })
  return gone.map((row) => row.id)
}

/** The member just typed their password in this session: sensitive changes may go ahead. */
export async function markReauthenticated(db: Db, sessionId: string, now = Date.now()): Promise<void> {
  await db.update(sessions).set({ reauthenticatedAt: now }).where(eq(sessions.id, sessionId))
}

/**
 * A new password, in one batch: the hash (a D1 trigger then deletes every API token of the
 * member), every other session ended, pending email changes dropped (a link asked for by
 * someone who knew the old password must not outlive it), and this session marked as just
 * re-authenticated. Returns the ids of the sessions ended.
 */
export async function changePassword(
  db: Db,
  input: { userId: number; keepSessionId: string; passwordHash: string },
  now = Date.now(),
): Promise<string[]> {
  const { userId, keepSessionId } = input
  const [ended] = await db.batch([
    db
      .delete(sessions)
      .where(and(eq(sessions.userId, userId), ne(sessions.id, keepSessionId)))
      .returning({ id: sessions.id }),
    db.update(users).set({ passwordHash: input.passwordHash }).where(eq(users.id, userId)),
    db.update(sessions).set({ reauthenticatedAt: now }).where(eq(sessions.id, keepSessionId)),
    db.delete(emailChangeTokens).where(eq(emailChangeTokens.userId, userId)),
  ])
  return ended.map((row) => row.id)
}
