import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi'
import { PAGE_SIZE } from '../../lib/cursor'
import { toFtsQuery } from '../../lib/fts-query'
import { readSearchCursor, signSearchCursor } from '../search/cursor'
import { searchAllowed, searchKeyForIp, SEARCH_RETRY_SECONDS } from '../search/rate-limit'
import { searchPeople, searchPosts, SEARCH_WINDOW, type SearchCursor } from '../search/queries'
import { QUERY_MAX, searchQuerySchema, usernamePrefixSchema } from '../search/schemas'
import { ApiError, errorResponses } from './errors'
import { ipOf, type ApiEnv } from './middleware'
import { postJson, userSummaryJson } from './represent'
import { jsonResponse, pageQuery, searchPageSchema } from './schemas'

/**
 * `GET /api/search`: the search page's query as JSON. Posts ranked best first
 * (bm25, then newest) in keyset pages with a signed, opaque cursor; members whose username
 * starts with `q` on the first page. The same rate limit as the page: SEARCH_RATE_LIMITER,
 * per address for anonymous callers (shared with the page), per token otherwise.
 */
const searchQuery = pageQuery.extend({
  q: z.string({ error: 'api.error.searchEmpty' }).openapi({
    param: { name: 'q', in: 'query', required: true },
    description: `The words to look for (at most ${QUERY_MAX} characters). Every word must match; the last one also matches as a prefix. Operators and punctuation are plain text.`,
    example: 'hello wor',
  }),
  type: z
    .enum(['all', 'posts', 'people'], { error: 'api.error.searchType' })
    .optional()
    .openapi({
      param: { name: 'type', in: 'query' },
      description: '`posts`, `people` or both (`all`, the default). People are listed on the first page only.',
      example: 'all',
    }),
  before: z
    .string()
    .optional()
    .openapi({
      param: { name: 'before', in: 'query' },
      description: 'The `_meta.next_cursor` of the previous page (opaque; valid only for the same `q`).',
    }),
})

const search = createRoute({
  method: 'get',
  path: '/search',
  tags: ['Search'],
  summary: 'Search posts and people',
  description:
    `Posts whose text holds every word of \`q\`, best match first (then newest), among the ${SEARCH_WINDOW} ` +
    'newest matches; members whose username starts with `q`. A token is optional. ' +
    `Searches are limited to 30 per ${SEARCH_RETRY_SECONDS} s per address (anonymous) or per token.`,
  request: { query: searchQuery },
  responses: {
    200: jsonResponse(searchPageSchema, 'A page of matching posts (and members on the first page)'),
    ...errorResponses(400, 401),
  },
})

export function registerSearchRoutes(api: OpenAPIHono<ApiEnv>) {
  api.openapi(search, async (c) => {
    const token = c.var.apiToken
    const key = token ? `search:token:${token.id}` : searchKeyForIp(ipOf(c))
    if (!(await searchAllowed(c.env, key))) {
      throw new ApiError(429, 'search.tooMany', { headers: { 'Retry-After': String(SEARCH_RETRY_SECONDS) } })
    }
    const query = c.req.valid('query')
    const type = query.type ?? 'all'
    const limit = query.limit ?? PAGE_SIZE
    if (!searchQuerySchema.safeParse(query.q).success) {
      throw new ApiError(400, 'search.tooLong', { params: { max: QUERY_MAX } })
    }
    const q = query.q.trim()
    if (q === '') throw new ApiError(400, 'api.error.searchEmpty', { fields: { q: 'api.error.searchEmpty' } })
    const match = toFtsQuery(q)
    if (!match) throw new ApiError(400, 'api.error.searchNothing', { fields: { q: 'api.error.searchNothing' } })

    let after: SearchCursor | null = null
    if (query.before !== undefined) {
      after = await readSearchCursor(c.env, match, query.before)
      if (!after) throw new ApiError(400, 'api.error.badCursor')
    }

    const wantPeople = type !== 'posts' && after === null && usernamePrefixSchema.safeParse(q).success
    const [rows, people] = await Promise.all([
      type !== 'people' ? searchPosts(c.var.db, match, after, limit) : Promise.resolve([]),
      wantPeople ? searchPeople(c.var.db, q) : Promise.resolve([]),
    ])
    const hits = rows.slice(0, limit)
    const last = hits[hits.length - 1]
    const next = last && rows.length > limit ? await signSearchCursor(c.env, match, last) : null

    const link = (cursor: string | null) => {
      const params = new URLSearchParams({ q: query.q })
      if (type !== 'all') params.set('type', type)
      if (limit !== PAGE_SIZE) params.set('limit', String(limit))
      if (cursor) params.set('before', cursor)
      return `/api/search?${params.toString()}`
    }
    return c.json(
      {
        q: query.q,
        items: hits.map(postJson),
        people: people.map(userSummaryJson),
        _meta: { limit, count: hits.length, next_cursor: next },
        _links: { self: link(query.before ?? null), next: next ? link(next) : null },
      },
      200,
    )
  })
}
