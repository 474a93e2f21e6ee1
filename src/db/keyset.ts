import { and, asc, desc, gt, gte, lt, lte, or, type SQL } from 'drizzle-orm'
import type { AnySQLiteColumn } from 'drizzle-orm/sqlite-core'
import type { Cursor, Paging } from '../lib/cursor'

/**
 * "Strictly older than the cursor" on (createdAt, id), written so SQLite uses the index
 * range `createdAt <= c` and only filters the few rows sharing that millisecond.
 */
export function olderThan(createdAt: AnySQLiteColumn, id: AnySQLiteColumn, before: Cursor | null): SQL | undefined {
  if (!before) return undefined
  return and(lte(createdAt, before.createdAt), or(lt(createdAt, before.createdAt), lt(id, before.id)))
}

/** "Strictly newer than the cursor" on (createdAt, id): the mirror of `olderThan`. */
export function newerThan(createdAt: AnySQLiteColumn, id: AnySQLiteColumn, after: Cursor): SQL | undefined {
  return and(gte(createdAt, after.createdAt), or(gt(createdAt, after.createdAt), gt(id, after.id)))
}

/** The range of one page: older than `before`, or (an `after` page) newer than `after`. */
export function pageRange(createdAt: AnySQLiteColumn, id: AnySQLiteColumn, paging: Paging): SQL | undefined {
  return paging.after ? newerThan(createdAt, id, paging.after) : olderThan(createdAt, id, paging.before)
}

/**
 * The order a page is read in: newest first, except an `after` page, which walks the same
 * index upwards from the cursor (so LIMIT keeps it bounded) and is reversed by `toKeysetPage`.
 */
export function pageOrder(createdAt: AnySQLiteColumn, id: AnySQLiteColumn, paging: Paging): SQL[] {
  return paging.after ? [asc(createdAt), asc(id)] : [desc(createdAt), desc(id)]
}
