import { and, desc, eq, gt } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { sessions, type Session } from '../../db/schema'

/**
 * The most sessions Settings → Sessions lists (most recently used first). Every login makes
 * one, so a member who never logs out could pile up many; the page stays bounded, and
 * "Log out everywhere else" still ends them all.
 */
export const SESSIONS_SHOWN = 100

/** A member's live sessions, most recently used first (through sessions_user_idx). */
export async function listUserSessions(db: Db, userId: number, now = Date.now()): Promise<Session[]> {
  return db
    .select()
    .from(sessions)
    .where(and(eq(sessions.userId, userId), gt(sessions.expiresAt, now)))
    .orderBy(desc(sessions.lastUsedAt), desc(sessions.createdAt))
    .limit(SESSIONS_SHOWN)
}
