import { Hono, type Context } from 'hono'
import type { AppEnv } from '../../env'
import { PAGE_SIZE } from '../../lib/cursor'
import { toFtsQuery } from '../../lib/fts-query'
import { isHtmxFragmentRequest } from '../../middleware/htmx'
import { HttpError } from '../../lib/http-error'
import { clientIp } from '../../lib/ip-bucket'
import { readSearchCursor, signSearchCursor } from './cursor'
import { searchAllowed, searchKeyForIp, SEARCH_RETRY_SECONDS } from './rate-limit'
import { searchPeople, searchPosts, type SearchCursor } from './queries'
import { QUERY_MAX, searchQuerySchema, usernamePrefixSchema } from './schemas'
import { SearchHits, SearchMain, type SearchResults } from './views'

export const searchRoutes = new Hono<AppEnv>()

async function limitSearches(c: Context<AppEnv>): Promise<void> {
  if (!(await searchAllowed(c.env, searchKeyForIp(clientIp((name) => c.req.header(name)))))) {
    throw new HttpError(429, 'search.tooMany', SEARCH_RETRY_SECONDS)
  }
}

searchRoutes.get('/search', async (c) => {
  const { db, t, lang } = c.var
  c.header('Vary', 'HX-Request')
  await limitSearches(c)
  const raw = c.req.query('q') ?? ''
  const before = c.req.query('before')
  const fragment = isHtmxFragmentRequest(c)
  const viewerId = c.var.user?.id

  const render = (results: SearchResults | null, error?: string) => {
    const title = results ? t('search.resultsFor', { q: raw }) : t('search.title')
    const main = <SearchMain t={t} lang={lang} results={results} q={raw} error={error} viewerId={viewerId} />
    if (fragment) {
      return c.html(
        <SearchMain t={t} lang={lang} results={results} q={raw} error={error} title={title} viewerId={viewerId} />,
      )
    }
    return c.render(main, { title })
  }

  if (!searchQuerySchema.safeParse(raw).success) {
    c.status(400)
    return render(null, t('search.tooLong', { max: QUERY_MAX }))
  }
  const q = raw.trim()
  if (q === '') return render(null)

  const match = toFtsQuery(q)
  let after: SearchCursor | null = null
  if (before !== undefined) {
    // Tamper check first: the cursor must be one this server signed for this very query.
    after = await readSearchCursor(c.env, match, before)
    if (!after) throw new HttpError(400, 'errors.badCursor')
  }

  const [rows, people] = await Promise.all([
    match ? searchPosts(db, match, after) : Promise.resolve([]),
    after === null && usernamePrefixSchema.safeParse(q).success ? searchPeople(db, q) : Promise.resolve([]),
  ])
  const hits = rows.slice(0, PAGE_SIZE)
  const last = hits[hits.length - 1]
  const next = match && last && rows.length > PAGE_SIZE ? await signSearchCursor(c.env, match, last) : null

  // The next page under infinite scroll: only the items (and the loader after them).
  if (fragment && after !== null) {
    return c.html(<SearchHits t={t} lang={lang} q={raw} hits={hits} next={next} viewerId={viewerId} />)
  }
  return render({ q: raw, people, hits, next })
})
