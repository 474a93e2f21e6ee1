import type { Bindings } from '../../env'
import { signCursor, verifyCursor } from '../../lib/cursor'
import type { SearchCursor, SearchHit } from './queries'
import { searchCursorSchema } from './schemas'

/**
 * Search cursors (the page's and `GET /api/search`'s) are signed with CURSOR_SECRET: a
 * secret in production, a development value in wrangler.toml. There is no fallback key in
 * the code — anyone could read it and forge cursors — so a missing secret throws (and every
 * request already fails before getting here: middleware/required-secrets.ts). A forged
 * cursor could at worst move a reader within public search results; the scope is the FTS5
 * expression, so a cursor only continues the query it came from.
 */
function cursorSecret(env: Pick<Bindings, 'CURSOR_SECRET'>): string {
  const secret = env.CURSOR_SECRET
  if (!secret) throw new Error('CURSOR_SECRET is not set: search cursors cannot be signed')
  return secret
}

/** The cursor that continues after `last` (the last hit of a page). */
export function signSearchCursor(env: Pick<Bindings, 'CURSOR_SECRET'>, match: string, last: SearchHit) {
  return signCursor(cursorSecret(env), match, {
    score: last.score,
    createdAt: last.createdAt,
    id: last.id,
  } satisfies SearchCursor)
}

/** A cursor this server signed for this very query, or null (malformed, forged, other query). */
export async function readSearchCursor(
  env: Pick<Bindings, 'CURSOR_SECRET'>,
  match: string | null,
  cursor: string,
): Promise<SearchCursor | null> {
  const parsed = searchCursorSchema.safeParse(match ? await verifyCursor(cursorSecret(env), match, cursor) : null)
  return parsed.success ? parsed.data : null
}
