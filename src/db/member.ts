import { sql, type SQL, type SQLWrapper } from 'drizzle-orm'
import { tokenHash, type SessionToken } from '../lib/session-token'
import { sessions, users } from './schema'

/**
 * A member a query is about, named the way the request knows them: by id; by username (a
 * profile or a thread page reads the member's rows in the same batch as the member); or as
 * the member of the request's session cookie at time `at` (a page reads the viewer's rows
 * in the same batch as the session lookup, middleware/session.ts).
 */
export type MemberRef = { id: number } | { username: string } | { session: SessionToken; at: number }

/** The three ways, as a prepared query's variant (db/read.ts): one SQL text each. */
export type MemberKind = 'id' | 'username' | 'session'

export function memberKind(member: MemberRef): MemberKind {
  return 'id' in member ? 'id' : 'username' in member ? 'username' : 'session'
}

/**
 * The member's id in a query, as SQL whose placeholders are named after `name` (so two
 * members in one query do not clash); fill them with `memberIdValues(member, name)`. It is
 * NULL — which matches nothing — when nobody has the username (or the account is being
 * deleted) or the session is unknown, expired or has another secret.
 *
 * The session's secret is compared as SHA-256 digests in SQL, which is not constant time:
 * a timing difference could only reveal how much of the stored digest matches the digest of
 * a guess, which says nothing about the secret itself (SHA-256 has no usable preimages).
 * The row that identifies the member to the page is still checked in constant time
 * (`checkSession`, middleware/session-store.ts).
 */
export function memberIdSql(kind: MemberKind, name: string): SQL {
  const value = (suffix: string) => sql.placeholder(`${name}${suffix}`)
  switch (kind) {
    case 'id':
      return sql`${value('')}`
    case 'username':
      // Usernames are unique case-insensitively; this uses the `lower(username)` index.
      return sql`(SELECT ${users.id} FROM ${users} WHERE lower(${users.username}) = ${value('_username')}
        AND ${users.deletedAt} IS NULL)`
    case 'session':
      return sql`(SELECT ${sessions.userId} FROM ${sessions} WHERE ${sessions.id} = ${value('_session')}
        AND ${sessions.secretHash} = ${value('_secret_hash')} AND ${sessions.expiresAt} > ${value('_at')})`
  }
}

/** The values of the placeholders of `memberIdSql(memberKind(member), name)`. */
export function memberIdValues(member: MemberRef, name: string): Record<string, unknown> {
  if ('id' in member) return { [name]: member.id }
  if ('username' in member) return { [`${name}_username`]: member.username.toLowerCase() }
  return {
    [`${name}_session`]: member.session.id,
    [`${name}_secret_hash`]: tokenHash(member.session),
    [`${name}_at`]: member.at,
  }
}

/**
 * SQL that is true unless the member with id `member` (a column: a post's author, a
 * follower, the other side of a conversation) is being deleted. From the moment a deletion
 * is confirmed (`users.deleted_at`) every read leaves the member out, while the deletion job
 * removes their rows (and the copies in others' timelines) in chunks.
 *
 * For reads driven by posts, not `users.deleted_at IS NULL` on the joined author row,
 * though that is one primary-key look-up per post: once ANALYZE has run, SQLite answers a
 * filter on the inner `users` of a join with a Bloom filter built by reading the whole table
 * whenever it expects more look-ups than there are members (every post of explore, a long
 * timeline on a small site), ignoring the LIMIT, so a 26-post page read every member.
 * (Reads driven by one member's follows or conversations can filter the joined row: those
 * are always fewer than the members.) Instead the set of members being deleted is read once per
 * statement through the partial index `users_deleted_idx`, which holds only them: with
 * nobody being deleted (nearly always) the first part is true and the page reads one row
 * more; during a deletion, one look-up in that small set per row.
 */
export function notBeingDeleted(member: SQLWrapper): SQL {
  return sql`(NOT EXISTS (SELECT 1 FROM users AS gone WHERE gone.deleted_at IS NOT NULL)
    OR ${member} NOT IN (SELECT gone.id FROM users AS gone WHERE gone.deleted_at IS NOT NULL))`
}
