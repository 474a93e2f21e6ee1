import { and, eq, inArray, isNull } from 'drizzle-orm'
import type { Db } from '../../../db/client'
import { jobs, users, type Job } from '../../../db/schema'
import type { Bindings } from '../../../env'
import { getUserById } from '../../users/queries'

/** Where a member's export files live: one folder per export under it. */
export function memberExportPrefix(userId: number): string {
  return `exports/${userId}/`
}

/** Where a job's files live: the pieces while it runs, then the one archive. */
export function exportPrefix(job: Pick<Job, 'id' | 'userId'>): string {
  return `${memberExportPrefix(job.userId)}${job.id}/`
}

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
  await deleteR2Prefix(env.EXPORTS, memberExportPrefix(userId))
  await db.delete(jobs).where(and(eq(jobs.userId, userId), eq(jobs.kind, 'export')))
}

/**
 * An export found it was stopped only after writing (its progress or its finish could not
 * be saved). When that is because its owner's account is deleted, everything it wrote goes:
 * the file written just before may have landed after the deletion swept the member's
 * folder, and nothing would ever find it again. The order makes this safe: the deletion
 * stops the export before it sweeps, and the export writes before it checks. An export
 * stopped for another reason (stuck) keeps its pieces for "Try again". True when discarded.
 */
export async function discardExportOfDeletedOwner(env: Bindings, db: Db, job: Job): Promise<boolean> {
  const owner = await getUserById(db, job.userId)
  if (owner && owner.deletedAt === null) return false
  await deleteR2Prefix(env.EXPORTS, exportPrefix(job))
  return true
}

/** Member ids per D1 statement (at most 100 bound parameters). */
const IDS_PER_QUERY = 90

/**
 * The daily sweep by folder: every member folder under `exports/` whose member is gone or
 * being deleted is emptied, whatever the job rows say. Those rows go with the account, so
 * a file an export wrote after its owner's deletion (its isolate died between the write and
 * the check that would have removed it) is found here and only here. Lists at most
 * `maxPages` pages of 1,000 folders; returns how many files it deleted.
 */
export async function sweepExportsOfDeletedMembers(env: Bindings, db: Db, maxPages: number): Promise<number> {
  let deleted = 0
  let cursor: string | undefined
  for (let page = 0; page < maxPages; page++) {
    const listing = await env.EXPORTS.list({ prefix: 'exports/', delimiter: '/', limit: 1000, cursor })
    const ids = listing.delimitedPrefixes
      .map((prefix) => Number(prefix.slice('exports/'.length, -1)))
      .filter((id) => Number.isSafeInteger(id) && id > 0)
    for (let i = 0; i < ids.length; i += IDS_PER_QUERY) {
      const chunk = ids.slice(i, i + IDS_PER_QUERY)
      const live = await db
        .select({ id: users.id })
        .from(users)
        .where(and(inArray(users.id, chunk), isNull(users.deletedAt)))
      const kept = new Set(live.map((row) => row.id))
      for (const id of chunk) {
        if (!kept.has(id)) deleted += await deleteR2Prefix(env.EXPORTS, memberExportPrefix(id))
      }
    }
    if (!listing.truncated) break
    cursor = listing.cursor
  }
  return deleted
}
