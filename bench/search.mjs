// Search rows of `npm run bench`: a common word, a rare word and a prefix, and
// the common word deep in its pages, to show a search page's D1 rows stay bounded.

/** In about a third of the posts of both the reference and the generated data set. */
export const COMMON_TERM = 'coffee'
/** A prefix of it, as the nav box sends while someone is typing. */
export const PREFIX_TERM = 'cof'
/**
 * The reference data set draws its posts from ~120 words, each in 9,000+ posts, so it has
 * no rare word. RARE_POSTS posts holding this one are added, dated before every other post
 * so no timeline page or profile row changes.
 */
export const RARE_TERM = 'quokka'
export const RARE_POSTS = 3

export async function addRarePosts(db, userId, before) {
  for (let i = 0; i < RARE_POSTS; i++) {
    await db
      .prepare('INSERT INTO posts (user_id, body, language, created_at) VALUES (?, ?, ?, ?)')
      .bind(userId, `Saw a ${RARE_TERM} on the island today, number ${i + 1}.`, 'en', before - 1000 * (i + 1))
      .run()
  }
}

/** The href of a search page's "More results" link, or null on the last page. */
export function nextSearchHref(html) {
  const match = /href="(\/search\?q=[^"&]+&amp;before=[^"]+)"/.exec(html)
  return match ? match[1].replaceAll('&amp;', '&') : null
}
