import { and, eq } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { postTranslations } from '../../db/schema'

/** A post's cached translation into `language`, or `null`. One primary-key read. */
export async function getCachedTranslation(db: Db, postId: number, language: string): Promise<string | null> {
  const row = await db
    .select({ body: postTranslations.body })
    .from(postTranslations)
    .where(and(eq(postTranslations.postId, postId), eq(postTranslations.language, language)))
    .get()
  return row?.body ?? null
}

/**
 * Stores a translation. Two readers translating the same post at once both pay for a
 * call; the second write is a no-op rather than an error.
 */
export async function saveTranslation(
  db: Db,
  postId: number,
  language: string,
  body: string,
  now = Date.now(),
): Promise<void> {
  await db.insert(postTranslations).values({ postId, language, body, createdAt: now }).onConflictDoNothing()
}
