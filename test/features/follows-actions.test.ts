import { eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { timelineEntries } from '../../src/db/schema'
import { FOLLOW_LIMIT, followMember, unfollowMember } from '../../src/features/follows/actions'
import { isFollowing } from '../../src/features/follows/queries'
import { createPost } from '../../src/features/posts/queries'
import { getUserById } from '../../src/features/users/queries'
import { hitRateLimit } from '../../src/middleware/rate-limit'
import { db, loggedIn, makeUser } from '../helpers'
import { openLive } from '../live-socket'
import { testRuntime } from '../runtime'

async function timelineOf(ownerId: number) {
  const rows = await db.select().from(timelineEntries).where(eq(timelineEntries.ownerId, ownerId))
  return rows.map((row) => row.postId).sort()
}

async function countsOf(id: number) {
  const user = (await getUserById(db, id))!
  return { followers: user.followerCount, following: user.followingCount }
}

describe('followMember', () => {
  it("follows by username or id, copies the member's posts, counts once under a race, tells their profile", async () => {
    const fan = await makeUser()
    const star = await loggedIn()
    const post = await createPost(db, star.user, 'before the follow', 'en')
    const live = await openLive(star.client)
    const { runtime, settle, errors } = testRuntime()

    const outcomes = await Promise.all([
      followMember(db, runtime, fan, { username: star.user.username }),
      followMember(db, runtime, fan, { id: star.user.id }),
    ])

    for (const outcome of outcomes) expect(outcome).toMatchObject({ ok: true, member: { id: star.user.id } })
    expect(await isFollowing(db, fan.id, star.user.id)).toBe(true)
    expect(await countsOf(star.user.id)).toEqual({ followers: 1, following: 0 })
    expect(await countsOf(fan.id)).toEqual({ followers: 0, following: 1 })
    expect(await timelineOf(fan.id)).toEqual([post.id])
    await settle()
    expect(errors).toEqual([])
    const html = await live.next((m) => m.includes(`stats-${star.user.id}`))
    expect(html).toContain('1 follower<')
    live.ws.close()
  })

  it('refuses an unknown member, yourself and a member over the limit, writing nothing', async () => {
    const me = await makeUser()
    const other = await makeUser()
    const { runtime } = testRuntime()

    expect(await followMember(db, runtime, me, { username: 'nobody_at_all' })).toEqual({
      ok: false,
      error: 'not-found',
    })
    expect(await followMember(db, runtime, me, { id: other.id + 1_000_000 })).toEqual({ ok: false, error: 'not-found' })
    expect(await followMember(db, runtime, me, { id: me.id })).toEqual({ ok: false, error: 'yourself' })
    expect(await countsOf(me.id)).toEqual({ followers: 0, following: 0 })

    // Three tries above were counted; the rest of the budget is used up directly.
    for (let i = 3; i < FOLLOW_LIMIT.limit; i++) await hitRateLimit(db, `follow:user:${me.id}`, FOLLOW_LIMIT)
    const limited = await followMember(db, runtime, me, { id: other.id })
    expect(limited).toMatchObject({ ok: false, error: 'rate-limited' })
    expect(limited.ok === false && limited.error === 'rate-limited' && limited.retryAfter).toBeGreaterThan(0)
    expect(await isFollowing(db, me.id, other.id)).toBe(false)
    expect(await countsOf(other.id)).toEqual({ followers: 0, following: 0 })
  })
})

describe('unfollowMember', () => {
  it("removes the edge, the counts and the member's posts from the timeline, and tells their profile", async () => {
    const fan = await makeUser()
    const star = await loggedIn()
    await createPost(db, star.user, 'seen while following', 'en')
    const { runtime, settle } = testRuntime()
    await followMember(db, runtime, fan, { id: star.user.id })
    await settle()
    const live = await openLive(star.client)

    const outcome = await unfollowMember(db, runtime, fan, { username: star.user.username })

    expect(outcome).toMatchObject({ ok: true, member: { id: star.user.id, followerCount: 0 } })
    expect(await isFollowing(db, fan.id, star.user.id)).toBe(false)
    expect(await countsOf(star.user.id)).toEqual({ followers: 0, following: 0 })
    expect(await countsOf(fan.id)).toEqual({ followers: 0, following: 0 })
    expect(await timelineOf(fan.id)).toEqual([])
    await settle()
    expect(await live.next((m) => m.includes(`stats-${star.user.id}`))).toContain('0 followers<')
    // Unfollowing again changes nothing; yourself is refused as for a follow.
    expect(await unfollowMember(db, runtime, fan, { id: star.user.id })).toMatchObject({ ok: true })
    expect(await countsOf(star.user.id)).toEqual({ followers: 0, following: 0 })
    expect(await unfollowMember(db, runtime, fan, { id: fan.id })).toEqual({ ok: false, error: 'yourself' })
    live.ws.close()
  })
})
