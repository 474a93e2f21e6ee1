import { and, gte, isNull, lt, sql } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { notBeingDeleted } from '../../db/member'
import { users } from '../../db/schema'
import { PAGE_SIZE } from '../../lib/cursor'
import { MARK_END, MARK_START } from '../../lib/highlight'
import type { PostView } from '../../views/components'

/**
 * How many of the newest matching posts are ranked. FTS5 can only order by bm25 after
 * scoring every match, and D1 bills each row that passes through: ranking every one of
 * the ~17,000 posts holding a common word read 69,000 rows per page in our measurements.
 * Taking the newest `SEARCH_WINDOW` matches (FTS5 walks its index by rowid, newest first,
 * and stops there) keeps a page at ~3,000 rows whatever the word and however deep the
 * reader scrolls, and favours recent posts, which on a microblog is what people look for.
 */
export const SEARCH_WINDOW = 1000

/** Where the previous page ended: its last post's bm25 score, time and id. */
export type SearchCursor = { score: number; createdAt: number; id: number }

export type SearchHit = PostView & { score: number; marked: string }

/**
 * One page of posts matching `match` (an expression from `toFtsQuery`, bound as a
 * parameter) — `limit` + 1 rows, the extra one telling whether there is more — best
 * first: bm25 (lower is better), then newest on ties, by (created_at, id) like every
 * timeline. Short posts tie a lot (the reference data has ~45 distinct scores among
 * 17,000 matches), so the tie order matters and is part of the cursor.
 * `marked` is the body with each match wrapped in MARK_START/MARK_END by FTS5's highlight().
 */
export async function searchPosts(
  db: Db,
  match: string,
  after: SearchCursor | null,
  limit = PAGE_SIZE,
): Promise<SearchHit[]> {
  const rows = await db.all<{
    id: number
    score: number
    marked: string
    body: string
    language: string | null
    created_at: number
    author_id: number
    username: string
    email: string
  }>(searchPostsSql(match, after, limit))
  return rows.map((row) => ({
    id: row.id,
    score: row.score,
    marked: row.marked,
    body: row.body,
    language: row.language,
    createdAt: row.created_at,
    author: { id: row.author_id, username: row.username, email: row.email },
  }))
}

/**
 * The page query. CROSS JOIN is SQLite's way to fix the join order: the 26 page rows drive
 * the lookups (highlight() by rowid). Left to itself the planner once chose to scan every
 * match of posts_fts and probe the page, reading ~4.5 rows per matching post.
 *
 * Posts of members being deleted are left out before ranking, so a page is still full:
 * not by a look-up of each hit's author (a thousand more rows a page) but against the set
 * of members being deleted (db/member.ts), usually empty.
 */
export function searchPostsSql(match: string, after: SearchCursor | null, limit = PAGE_SIZE) {
  const afterScore = after?.score ?? null
  const afterAt = after?.createdAt ?? null
  const afterId = after?.id ?? null
  return sql`
    WITH hits AS (
      SELECT rowid AS id, bm25(posts_fts) AS score FROM posts_fts
      WHERE posts_fts MATCH ${match}
      ORDER BY rowid DESC LIMIT ${SEARCH_WINDOW}
    ),
    ranked AS (
      SELECT hits.id AS id, hits.score AS score, posts.created_at AS created_at
      FROM hits CROSS JOIN posts ON posts.id = hits.id
      WHERE ${notBeingDeleted(sql`posts.user_id`)}
    ),
    page AS (
      SELECT id, score, created_at FROM ranked
      WHERE ${afterScore} IS NULL OR score > ${afterScore} OR (score = ${afterScore} AND
        (created_at, id) < (${afterAt}, ${afterId}))
      ORDER BY score, created_at DESC, id DESC LIMIT ${limit + 1}
    )
    SELECT page.id AS id, page.score AS score,
      highlight(posts_fts, 0, ${MARK_START}, ${MARK_END}) AS marked,
      posts.body AS body, posts.language AS language, posts.created_at AS created_at,
      users.id AS author_id, users.username AS username, users.email AS email
    FROM page
    CROSS JOIN posts_fts ON posts_fts.rowid = page.id
    CROSS JOIN posts ON posts.id = page.id
    CROSS JOIN users ON users.id = posts.user_id
    WHERE posts_fts MATCH ${match}
    ORDER BY page.score, page.created_at DESC, page.id DESC`
}

export type PersonHit = { id: number; username: string; email: string; aboutMe: string }

export const PEOPLE_LIMIT = 5

/**
 * Members whose username starts with `prefix` (case-insensitively), at most PEOPLE_LIMIT,
 * leaving out members being deleted.
 * A range on the `lower(username)` index rather than LIKE (which SQLite would not run on
 * that index): usernames are [a-z0-9_] once lowered, all below U+007F.
 */
export async function searchPeople(db: Db, prefix: string): Promise<PersonHit[]> {
  const low = prefix.toLowerCase()
  const name = sql`lower(${users.username})`
  return db
    .select({ id: users.id, username: users.username, email: users.email, aboutMe: users.aboutMe })
    .from(users)
    .where(and(gte(name, low), lt(name, low + '\u007f'), isNull(users.deletedAt)))
    .orderBy(name)
    .limit(PEOPLE_LIMIT)
}
