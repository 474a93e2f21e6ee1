import { eq } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { users } from '../../db/schema'
import type { Lang } from '../../lib/i18n'

/** Saves a member's language; it then beats the cookie and Accept-Language, and emails use it. */
export async function saveUserLanguage(db: Db, userId: number, lang: Lang): Promise<void> {
  await db.update(users).set({ language: lang }).where(eq(users.id, userId))
}
