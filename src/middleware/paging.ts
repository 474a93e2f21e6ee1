import type { Context } from 'hono'
import { parseCursor, type Cursor, type Paging } from '../lib/cursor'
import { HttpError } from '../lib/http-error'

function queryCursor(c: Context, name: 'before' | 'after'): Cursor | null {
  const parsed = parseCursor(c.req.query(name))
  if (!parsed.ok) throw new HttpError(400, 'errors.badCursor')
  return parsed.cursor
}

/** The `before` cursor of a paginated request; a malformed one is a 400, never a 500. */
export function cursorFrom(c: Context): Cursor | null {
  return queryCursor(c, 'before')
}

/**
 * `before` and `after` of a list that pages both ways; either malformed is a 400. With both
 * given, `after` wins (a Newer link never carries `before`).
 */
export function pagingFrom(c: Context): Paging {
  const before = queryCursor(c, 'before')
  const after = queryCursor(c, 'after')
  return after ? { before: null, after } : { before }
}
