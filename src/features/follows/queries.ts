import { and, desc, eq, sql } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { follows, posts, timelineEntries, users } from '../../db/schema'

export async function isFollowing(db: Db, followerId: number, followedId: number): Promise<boolean> {
  const row = await db
    .select({ one: sql<number>`1` })
    .from(follows)
    .where(and(eq(follows.followerId, followerId), eq(follows.followedId, followedId)))
    .get()
  return row !== undefined
}

/**
 * Ids of a member's followers, newest first, at most `limit` (one index range). Used to tell
 * their live hubs about a new post, after the response.
 */
export async function listFollowerIds(db: Db, userId: number, limit: number): Promise<number[]> {
  const rows = await db
    .select({ id: follows.followerId })
    .from(follows)
    .where(eq(follows.followedId, userId))
    .orderBy(desc(follows.createdAt))
    .limit(limit)
  return rows.map((row) => row.id)
}

/** Counters recomputed from the follows table, so they can never drift. */
function recountFollows(db: Db, followerId: number, followedId: number) {
  return [
    db
      .update(users)
      .set({ followerCount: sql`(SELECT count(*) FROM follows WHERE followed_id = ${followedId})` })
      .where(eq(users.id, followedId)),
    db
      .update(users)
      .set({ followingCount: sql`(SELECT count(*) FROM follows WHERE follower_id = ${followerId})` })
      .where(eq(users.id, followerId)),
  ] as const
}

/**
 * Follows someone, atomically: the edge, their existing posts copied into the follower's
 * timeline, and both counters. Following twice changes nothing.
 */
export async function followUser(db: Db, followerId: number, followedId: number, now = Date.now()): Promise<void> {
  await db.batch([
    db.insert(follows).values({ followerId, followedId, createdAt: now }).onConflictDoNothing(),
    db
      .insert(timelineEntries)
      .select(
        db
          .select({
            ownerId: sql<number>`${followerId}`.as('owner_id'),
            postId: posts.id,
            authorId: posts.userId,
            createdAt: posts.createdAt,
          })
          .from(posts)
          .where(eq(posts.userId, followedId)),
      )
      .onConflictDoNothing(),
    ...recountFollows(db, followerId, followedId),
  ])
}

/** Unfollows, atomically: the edge, their posts out of the timeline, both counters. */
export async function unfollowUser(db: Db, followerId: number, followedId: number): Promise<void> {
  await db.batch([
    db.delete(follows).where(and(eq(follows.followerId, followerId), eq(follows.followedId, followedId))),
    db
      .delete(timelineEntries)
      .where(and(eq(timelineEntries.ownerId, followerId), eq(timelineEntries.authorId, followedId))),
    ...recountFollows(db, followerId, followedId),
  ])
}
