import { sql } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { createDb, newD1Stats } from '../../src/db/client'
import { searchPosts, SEARCH_WINDOW } from '../../src/features/search/queries'
import { db, env, makeUser } from '../helpers'

/** D1 rows read by one search page, as D1 reports them (the bench's counter). */
async function rowsRead(match: string, after: Parameters<typeof searchPosts>[2] = null) {
  const stats = newD1Stats()
  const hits = await searchPosts(createDb(env.DB, stats), match, after)
  return { hits, rows: stats.rowsRead }
}

describe('search cost (D1 rows read per page)', () => {
  it('stays bounded by the window for a word in twice as many posts, on the first and a deep page', async () => {
    const author = await makeUser()
    await db.run(sql`
      WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < ${SEARCH_WINDOW * 2})
      INSERT INTO posts (user_id, body, language, created_at)
      SELECT ${author.id}, 'plenty ' || i || CASE WHEN i % 3 = 0 THEN ' plenty' ELSE '' END, 'en', 1000 + i
      FROM seq`)
    // The window, its posts' times and sort, then 26 highlighted rows: about 3 × 1,000.
    const bound = 3 * SEARCH_WINDOW + 200
    const first = await rowsRead('"plenty"*')
    expect(first.hits).toHaveLength(26)
    expect(first.rows).toBeLessThan(bound)
    const last = first.hits[24]!
    const deep = await rowsRead('"plenty"*', { score: last.score, createdAt: last.createdAt, id: last.id })
    expect(deep.hits).toHaveLength(26)
    expect(deep.rows).toBeLessThan(bound)
  })

  it('reads only a few rows for a rare word', async () => {
    const author = await makeUser()
    await db.run(
      sql`INSERT INTO posts (user_id, body, language, created_at) VALUES (${author.id}, 'a lone zyzzyva', 'en', 5)`,
    )
    const { hits, rows } = await rowsRead('"zyzzyva"*')
    expect(hits).toHaveLength(1)
    expect(rows).toBeLessThan(20)
  })
})
