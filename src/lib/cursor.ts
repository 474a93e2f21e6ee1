/**
 * Keyset pagination cursors. A cursor names the last item of a page by its sort key
 * `(createdAt, id)`; the next page is everything strictly older. Unlike OFFSET this reads
 * only the rows it shows and never skips or repeats items when new ones are written.
 */
export type Cursor = { createdAt: number; id: number }

export const PAGE_SIZE = 25

export function encodeCursor(cursor: Cursor): string {
  return `${cursor.createdAt}-${cursor.id}`
}

/**
 * Parses a `before` query value. Absent → `{ ok: true, cursor: null }` (first page);
 * malformed → `{ ok: false }` so the route can answer 400.
 */
export function parseCursor(raw: string | undefined | null): { ok: true; cursor: Cursor | null } | { ok: false } {
  if (raw === undefined || raw === null || raw === '') return { ok: true, cursor: null }
  const match = /^(\d{1,15})-(\d{1,15})$/.exec(raw)
  if (!match) return { ok: false }
  const createdAt = Number(match[1])
  const id = Number(match[2])
  if (!Number.isSafeInteger(createdAt) || !Number.isSafeInteger(id)) return { ok: false }
  return { ok: true, cursor: { createdAt, id } }
}

/**
 * One page, newest first. `next` is the cursor for the older page; `newer`, on lists that
 * page both ways, the cursor for the newer one (null on the first page).
 */
export type Page<T> = { items: T[]; next: string | null; newer?: string | null }

/** Which page to read: older than `before`, or newer than `after` (first page: neither). */
export type Paging = { before: Cursor | null; after?: Cursor | null; limit?: number }

/**
 * Turns `size + 1` fetched rows (PAGE_SIZE unless an API client chose a limit) into a page: the extra row only tells whether an
 * older page exists.
 */
export function toPage<T>(rows: T[], keyOf: (row: T) => Cursor, size = PAGE_SIZE): Page<T> {
  const items = rows.slice(0, size)
  const last = items[items.length - 1]
  const next = rows.length > size && last ? encodeCursor(keyOf(last)) : null
  return { items, next }
}

/**
 * A page read with `pageRange`/`pageOrder` and `size + 1` rows. A `before` page (or the first)
 * is `toPage` plus a `newer` cursor when it is not the first page. An `after` page came back
 * oldest first: it is reversed, and the extra row only tells whether a newer page exists;
 * its older page always exists (the cursor's own item is older).
 */
export function toKeysetPage<T>(rows: T[], keyOf: (row: T) => Cursor, paging: Paging): Page<T> {
  const size = paging.limit ?? PAGE_SIZE
  if (!paging.after) {
    const page = toPage(rows, keyOf, size)
    const first = page.items[0]
    return { ...page, newer: paging.before && first ? encodeCursor(keyOf(first)) : null }
  }
  const items = rows.slice(0, size).reverse()
  const newest = items[0]
  const oldest = items[items.length - 1]
  return {
    items,
    next: oldest ? encodeCursor(keyOf(oldest)) : null,
    newer: rows.length > size && newest ? encodeCursor(keyOf(newest)) : null,
  }
}

/**
 * Opaque, tamper-checked cursors (`?before=` on search): signed values (lib/signed-value.ts)
 * whose scope is the query, so a cursor edited by hand, or taken from another query, fails
 * the check. Being opaque, the format can change without breaking anyone's bookmarks beyond
 * a clean 400.
 */
export { signValue as signCursor, verifySignedValue as verifyCursor } from './signed-value'
