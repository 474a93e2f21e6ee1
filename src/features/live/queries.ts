import { eq } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { sessions } from '../../db/schema'

/**
 * Whether a session still exists and has not expired, asked of the primary by `GET /live`
 * once the socket is accepted (a replica could still hold a session just revoked).
 */
export async function isSessionLive(db: Db, sessionId: string, now = Date.now()): Promise<boolean> {
  const row = await db.select({ expiresAt: sessions.expiresAt }).from(sessions).where(eq(sessions.id, sessionId)).get()
  return row !== undefined && row.expiresAt > now
}
