// The database's invariants after a load (`npm run stress`): each check is one SQL count of
// violating rows, run through the D1 binding, so it sees exactly what the app wrote.

/** Following copies at most this many of the followed member's newest posts (follows/queries.ts). */
const FOLLOW_COPY_LIMIT = 500

const CHECKS = [
  {
    check: "every post is in its author's timeline",
    sql: `SELECT count(*) AS n FROM posts p WHERE NOT EXISTS (
            SELECT 1 FROM timeline_entries t
            WHERE t.owner_id = p.user_id AND t.created_at = p.created_at AND t.post_id = p.id)`,
  },
  {
    // Posts older than the follow were copied only up to the newest FOLLOW_COPY_LIMIT: for an
    // author with more posts than that, only posts since the follow are required.
    check: "every post is in each current follower's timeline",
    sql: `WITH big AS (SELECT user_id FROM posts GROUP BY user_id HAVING count(*) > ${FOLLOW_COPY_LIMIT})
          SELECT count(*) AS n FROM follows f JOIN posts p ON p.user_id = f.followed_id
          WHERE (p.created_at >= f.created_at OR f.followed_id NOT IN (SELECT user_id FROM big))
            AND NOT EXISTS (
              SELECT 1 FROM timeline_entries t
              WHERE t.owner_id = f.follower_id AND t.created_at = p.created_at AND t.post_id = p.id)`,
  },
  {
    check: 'no post twice in a timeline',
    sql: `SELECT count(*) AS n FROM (
            SELECT 1 FROM timeline_entries GROUP BY owner_id, post_id HAVING count(*) > 1)`,
  },
  {
    check: 'no post in the timeline of someone who does not follow its author',
    sql: `SELECT count(*) AS n FROM timeline_entries t
          WHERE t.owner_id <> t.author_id AND NOT EXISTS (
            SELECT 1 FROM follows f WHERE f.follower_id = t.owner_id AND f.followed_id = t.author_id)`,
  },
  {
    check: 'timeline entries match their post (exists, author, time)',
    sql: `SELECT count(*) AS n FROM timeline_entries t LEFT JOIN posts p ON p.id = t.post_id
          WHERE p.id IS NULL OR p.user_id <> t.author_id OR p.created_at <> t.created_at`,
  },
  {
    check: 'users.post_count = count of their posts',
    sql: `SELECT count(*) AS n FROM users u
          WHERE u.post_count <> (SELECT count(*) FROM posts p WHERE p.user_id = u.id)`,
  },
  {
    check: 'users.follower_count = count of follows',
    sql: `SELECT count(*) AS n FROM users u
          WHERE u.follower_count <> (SELECT count(*) FROM follows f WHERE f.followed_id = u.id)`,
  },
  {
    check: 'users.following_count = count of follows',
    sql: `SELECT count(*) AS n FROM users u
          WHERE u.following_count <> (SELECT count(*) FROM follows f WHERE f.follower_id = u.id)`,
  },
  {
    check: 'users.unread_message_count = unread over conversations',
    sql: `SELECT count(*) AS n FROM users u WHERE u.unread_message_count <> (
            (SELECT coalesce(sum(a_unread), 0) FROM conversations WHERE user_a_id = u.id) +
            (SELECT coalesce(sum(b_unread), 0) FROM conversations WHERE user_b_id = u.id))`,
  },
  { check: 'nobody follows themselves', sql: 'SELECT count(*) AS n FROM follows WHERE follower_id = followed_id' },
  {
    check: 'timeline entries whose author is missing',
    sql: `SELECT count(*) AS n FROM timeline_entries t WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = t.author_id)`,
  },
]

/**
 * Runs every check; returns [{ check, violations }]. Rows pointing at missing rows (every
 * foreign key: timeline entries, follows, posts, sessions, messages, conversations…) are
 * counted by SQLite's own `PRAGMA foreign_key_check`, one line per table.
 */
export async function checkIntegrity(db) {
  const results = []
  for (const { check, sql } of CHECKS) {
    results.push({ check, violations: (await db.prepare(sql).first('n')) ?? 0 })
  }
  const { results: orphans } = await db.prepare('PRAGMA foreign_key_check').all()
  const byTable = new Map()
  for (const row of orphans)
    byTable.set(`${row.table} → ${row.parent}`, (byTable.get(`${row.table} → ${row.parent}`) ?? 0) + 1)
  results.push({ check: 'no orphan rows (every foreign key, PRAGMA foreign_key_check)', violations: orphans.length })
  for (const [pair, n] of byTable) results.push({ check: `  orphans ${pair}`, violations: n })
  return results
}
