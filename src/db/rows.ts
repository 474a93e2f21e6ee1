import type { Row } from './read'
import type { User } from './schema'

/**
 * A `users` row (every column, as `db.select().from(users)` names them) mapped by hand for
 * a cached statement (db/read.ts). Typed as `User`, so a column added to the table fails
 * the typecheck here until it is mapped; test/db/cached-reads.test.ts checks each value
 * against Drizzle's own mapping.
 */
export function userRow(r: Row): User {
  return {
    id: r.id as number,
    username: r.username as string,
    email: r.email as string,
    passwordHash: r.password_hash as string,
    aboutMe: r.about_me as string,
    language: r.language as string | null,
    postCount: r.post_count as number,
    followerCount: r.follower_count as number,
    followingCount: r.following_count as number,
    unreadMessageCount: r.unread_message_count as number,
    lastSeenAt: r.last_seen_at as number,
    createdAt: r.created_at as number,
    deletedAt: r.deleted_at as number | null,
  }
}
