import { and, eq } from 'drizzle-orm'
import type { Db } from '../../../db/client'
import { jobs } from '../../../db/schema'
import type { Bindings } from '../../../env'

/** Deletes every R2 object under `prefix`, 1,000 keys per call (R2's limit). */
export async function deleteR2Prefix(bucket: R2Bucket, prefix: string): Promise<number> {
  let deleted = 0
  for (;;) {
    const listing = await bucket.list({ prefix, limit: 1000 })
    if (listing.objects.length === 0) return deleted
    await bucket.delete(listing.objects.map((object) => object.key))
    deleted += listing.objects.length
    if (!listing.truncated) return deleted
  }
}

/** A member's export files (finished archives and pieces of unfinished ones) and their rows. */
export async function deleteExportFiles(env: Bindings, db: Db, userId: number): Promise<void> {
  await deleteR2Prefix(env.EXPORTS, `exports/${userId}/`)
  await db.delete(jobs).where(and(eq(jobs.userId, userId), eq(jobs.kind, 'export')))
}
