import { eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { users } from '../../src/db/schema'
import { followUser, listFollowerIds } from '../../src/features/follows/queries'
import { LIVE_FANOUT_MAX, LIVE_RECENT_MS } from '../../src/features/live/notify'
import { db, makeUser } from '../helpers'

describe('live notices of a new post', () => {
  // Each id wakes one Durable Object: waking every follower's hub on every post stalled
  // workerd under `npm run stress` and grew its memory.
  it('go only to followers seen lately, not to every follower', async () => {
    const author = await makeUser()
    const recent = await makeUser()
    const away = await makeUser()
    for (const follower of [recent, away]) await followUser(db, follower.id, author.id)
    const now = Date.now()
    await db
      .update(users)
      .set({ lastSeenAt: now - 60_000 })
      .where(eq(users.id, recent.id))
    await db
      .update(users)
      .set({ lastSeenAt: now - LIVE_RECENT_MS - 60_000 })
      .where(eq(users.id, away.id))
    expect(await listFollowerIds(db, author.id, LIVE_FANOUT_MAX, now - LIVE_RECENT_MS)).toEqual([recent.id])
    // Without the bound both would be woken.
    expect((await listFollowerIds(db, author.id, LIVE_FANOUT_MAX)).sort()).toEqual([recent.id, away.id].sort())
  })
})
