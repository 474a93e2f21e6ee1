import { and, asc, desc, eq, getTableName, gt, lt, sql, type Placeholder, type SQL } from 'drizzle-orm'
import type { AnySQLiteColumn } from 'drizzle-orm/sqlite-core'
import { PAGE_SIZE, type Paging } from '../lib/cursor'

/**
 * Keyset ranges on (createdAt, id), newest first.
 *
 * A row value `(created_at, id) < (?, ?)` is one index range that starts exactly at the
 * cursor, so a page never reads the rows sharing the cursor's millisecond — when `id` is an
 * ordinary column of the index (timeline_entries' post_id, follows' other side).
 *
 * SQLite stops a row-value range at the last ordinary column: when `id` is the table's rowid
 * (posts, users, conversations, messages) the range is only `created_at <= ?` and every row
 * of that millisecond above the cursor is read and thrown away (EXPLAIN QUERY PLAN shows
 * `(created_at<?)` instead of `((created_at,id)<(?,?))`). Those tables use `keysetSelect`,
 * which reads the same range as two index seeks merged in order.
 */

/** A cursor's values, or placeholders for them (a prepared query: see `pagePlaceholders`). */
export type KeysetCursor = { createdAt: number | Placeholder; id: number | Placeholder }

/** Which page to read, as `Paging`, with a cursor of values or of placeholders. */
export type KeysetPaging = { before: KeysetCursor | null; after?: KeysetCursor | null }

/** "Strictly older than the cursor" on (createdAt, id) as a row value. */
export function olderThan(
  createdAt: AnySQLiteColumn,
  id: AnySQLiteColumn,
  before: KeysetCursor | null,
): SQL | undefined {
  if (!before) return undefined
  return sql`(${createdAt}, ${id}) < (${before.createdAt}, ${before.id})`
}

/** "Strictly newer than the cursor" on (createdAt, id): the mirror of `olderThan`. */
export function newerThan(createdAt: AnySQLiteColumn, id: AnySQLiteColumn, after: KeysetCursor): SQL {
  return sql`(${createdAt}, ${id}) > (${after.createdAt}, ${after.id})`
}

/** The range of one page: older than `before`, or (an `after` page) newer than `after`. */
export function pageRange(createdAt: AnySQLiteColumn, id: AnySQLiteColumn, paging: KeysetPaging): SQL | undefined {
  return paging.after ? newerThan(createdAt, id, paging.after) : olderThan(createdAt, id, paging.before)
}

/**
 * The order a page is read in: newest first, except an `after` page, which walks the same
 * index upwards from the cursor (so LIMIT keeps it bounded) and is reversed by `toKeysetPage`.
 */
export function pageOrder(createdAt: AnySQLiteColumn, id: AnySQLiteColumn, paging: KeysetPaging): SQL[] {
  return paging.after ? [asc(createdAt), asc(id)] : [desc(createdAt), desc(id)]
}

/** What `keysetSelect` needs of a Drizzle select (made with `.$dynamic()`). */
type DynamicSelect = {
  orderBy(...columns: SQL[]): { limit(limit: number | Placeholder): unknown }
  unionAll(other: never): { orderBy(...columns: SQL[]): { limit(limit: number | Placeholder): unknown } }
}

/**
 * One page of a table whose tie-break `id` is its rowid, `limit` rows in `pageOrder`.
 * `select(range)` is the page's query without order or limit, filtered by `range`.
 *
 * With a cursor the page is `same millisecond, id beyond the cursor` UNION ALL `strictly
 * beyond the millisecond`: each half is one index seek (`created_at=? AND id<?` and
 * `created_at<?`), and SQLite merges the two ordered halves (MERGE (UNION ALL)) and stops at
 * LIMIT, so a page reads at most about twice its size whatever shares the millisecond.
 * The result is typed as the plain select, which it equals row for row.
 */
export function keysetSelect<Q extends DynamicSelect>(
  select: (range: SQL | undefined) => Q,
  createdAt: AnySQLiteColumn,
  id: AnySQLiteColumn,
  paging: KeysetPaging,
  limit: number | Placeholder,
): Q {
  const order = () => pageOrder(createdAt, id, paging)
  const cursor = paging.after ?? paging.before
  if (!cursor)
    return select(undefined)
      .orderBy(...order())
      .limit(limit) as Q
  const beyond = paging.after ? gt : lt
  const sameMillisecond = select(and(eq(createdAt, cursor.createdAt), beyond(id, cursor.id)))
  const rest = select(beyond(createdAt, cursor.createdAt))
  // Drizzle writes a compound ORDER BY with bare column names, and a bare `id` is ambiguous
  // when the select also has users.id: name each sort column with its table.
  const direction = paging.after ? sql`asc` : sql`desc`
  return sameMillisecond
    .unionAll(rest as never)
    .orderBy(sql`${qualified(createdAt)} ${direction}`, sql`${qualified(id)} ${direction}`)
    .limit(limit) as Q
}

function qualified(column: AnySQLiteColumn): SQL {
  return sql`${sql.identifier(getTableName(column.table))}.${sql.identifier(column.name)}`
}

/** Which page a prepared query reads, as its variant (db/read.ts): one SQL text each. */
export type PageKind = 'first' | 'before' | 'after'

/**
 * The paging of a prepared query of `kind`: the cursor as placeholders `cursor_at` and
 * `cursor_id`, and `limit` (the page size + 1). `pageValues` gives their values.
 */
export function pagePlaceholders(kind: PageKind): { paging: KeysetPaging; limit: Placeholder } {
  if (kind === 'first') return { paging: { before: null }, limit: LIMIT }
  if (kind === 'after') return { paging: { before: null, after: CURSOR }, limit: LIMIT }
  return { paging: { before: CURSOR }, limit: LIMIT }
}

/** The kind of page `opts` asks for, and the values of `pagePlaceholders(kind)`. */
export function pageValues(opts: Paging): { kind: PageKind; values: Record<string, unknown> } {
  const limit = (opts.limit ?? PAGE_SIZE) + 1
  const cursor = opts.after ?? opts.before
  if (!cursor) return { kind: 'first', values: { limit } }
  return { kind: opts.after ? 'after' : 'before', values: { cursor_at: cursor.createdAt, cursor_id: cursor.id, limit } }
}

const CURSOR: KeysetCursor = { createdAt: sql.placeholder('cursor_at'), id: sql.placeholder('cursor_id') }
const LIMIT = sql.placeholder('limit')
