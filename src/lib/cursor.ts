import type { Context } from 'hono'
import { HttpError } from './http-error'

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

export type Page<T> = { items: T[]; next: string | null }

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

/** The `before` cursor of a paginated request; a malformed one is a 400, never a 500. */
export function cursorFrom(c: Context): Cursor | null {
  const parsed = parseCursor(c.req.query('before'))
  if (!parsed.ok) throw new HttpError(400, 'errors.badCursor')
  return parsed.cursor
}
