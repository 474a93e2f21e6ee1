import { and, lt, lte, or, type SQL } from 'drizzle-orm'
import type { AnySQLiteColumn } from 'drizzle-orm/sqlite-core'
import type { Cursor } from '../lib/cursor'

/**
 * "Strictly older than the cursor" on (createdAt, id), written so SQLite uses the index
 * range `createdAt <= c` and only filters the few rows sharing that millisecond.
 */
export function olderThan(createdAt: AnySQLiteColumn, id: AnySQLiteColumn, before: Cursor | null): SQL | undefined {
  if (!before) return undefined
  return and(lte(createdAt, before.createdAt), or(lt(createdAt, before.createdAt), lt(id, before.id)))
}
