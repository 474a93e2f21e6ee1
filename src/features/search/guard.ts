import type { Bindings } from '../../env'
import { signCursor, verifyCursor } from '../../lib/signed-cursor'
import type { SearchCursor, SearchHit } from './queries'
import { searchCursorSchema } from './schemas'

/**
 * What the search page and `GET /api/search` share: the signed cursor and the rate limit.
 *
 * Cursors are signed with CURSOR_SECRET (set it as a secret in production); the fallback only
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

/** The binding's period: how long a refused searcher should wait (Retry-After). */
export const SEARCH_RETRY_SECONDS = 10

/**
 * Searching costs D1 reads, so each key (an address, or an API token) gets
 * SEARCH_RATE_LIMITER's allowance (the Workers Rate Limiting binding, 30 per 10 s in
 * wrangler.toml). A missing binding (the benchmark's plain workerd set-up) means no limit.
 */
export async function searchAllowed(env: Pick<Bindings, 'SEARCH_RATE_LIMITER'>, key: string): Promise<boolean> {
  const limiter = env.SEARCH_RATE_LIMITER
  if (!limiter) return true
  const { success } = await limiter.limit({ key })
  return success
}

/** The rate-limit key of an address: the page and anonymous API calls share it. */
export const searchKeyForIp = (ip: string) => `search:${ip}`
