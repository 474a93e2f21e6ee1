import type { Bindings } from '../../env'
import { signCursor, verifyCursor } from '../../lib/cursor'
import type { SearchCursor, SearchHit } from './queries'
import { searchCursorSchema } from './schemas'

/**
 * Search cursors (the page's and `GET /api/search`'s) are signed with CURSOR_SECRET (set it as a secret in production); the fallback only
 * keeps local runs and tests working (a forged cursor can at worst move a reader within
 * public search results, never reach anything else). The scope is the FTS5 expression, so a
 * cursor only continues the query it came from.
 */
const DEV_CURSOR_SECRET = 'microblog-development-cursor-secret'

function cursorSecret(env: Pick<Bindings, 'CURSOR_SECRET'>): string {
  return env.CURSOR_SECRET || DEV_CURSOR_SECRET
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
