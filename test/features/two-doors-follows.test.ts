import { eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { timelineEntries } from '../../src/db/schema'
import { FOLLOW_LIMIT } from '../../src/features/follows/actions'
import { createPost } from '../../src/features/posts/queries'
import { getUserById } from '../../src/features/users/queries'
import { hitRateLimit } from '../../src/middleware/rate-limit'
import { db, loggedIn, PASSWORD } from '../helpers'
import { openLive } from '../live-socket'
import { ApiClient } from '../api/contract'

// Following through the site's button and through the API is one action: the same edge,
// counts, timeline copies and live notice, and one rate-limit budget.

/** A fan who can act through both doors, and a member with a post, watching their profile live. */
async function fanAndStar() {
  const fan = await loggedIn()
  const api = new ApiClient()
  const token = await api.token(fan.user.username, PASSWORD)
  const star = await loggedIn()
  await createPost(db, star.user, 'a post to copy', 'en')
  const live = await openLive(star.client)
  return { fan, api, token, star, live }
}

type Scene = Awaited<ReturnType<typeof fanAndStar>>

/** Counts, the fan's timeline and the star's newest live notice, with names and ids made neutral. */
async function effects(scene: Scene, from: number) {
  const notice = await scene.live.next((m) => m.includes(`stats-${scene.star.user.id}`), from)
  const timeline = await db.select().from(timelineEntries).where(eq(timelineEntries.ownerId, scene.fan.user.id))
  const star = (await getUserById(db, scene.star.user.id))!
  const fan = (await getUserById(db, scene.fan.user.id))!
  return {
    starFollowers: star.followerCount,
    fanFollowing: fan.followingCount,
    fanTimeline: timeline.length,
    notice: notice
      .replaceAll(`stats-${star.id}`, 'stats-ID')
      .replaceAll(`/user/${encodeURIComponent(star.username)}/`, '/user/NAME/'),
  }
}

describe('following: POST /follow/:username and POST /api/users/:id/follow', () => {
  it('leave the same edge, counts, timeline copies and live notice; so do both unfollows', async () => {
    const site = await fanAndStar()
    const api = await fanAndStar()

    expect((await site.fan.client.post(`/follow/${site.star.user.username}`)).status).toBe(303)
    const follow = await api.api.api('POST', `/api/users/${api.star.user.id}/follow`, { token: api.token })
    expect(follow.status).toBe(200)
    const followed = { site: await effects(site, 0), api: await effects(api, 0) }
    expect(followed.site).toMatchObject({ starFollowers: 1, fanFollowing: 1, fanTimeline: 1 })
    expect(followed.site.notice).toContain('1 follower<')
    expect(followed.api).toEqual(followed.site)

    const marks = { site: site.live.received.length, api: api.live.received.length }
    expect((await site.fan.client.post(`/unfollow/${site.star.user.username}`)).status).toBe(303)
    const unfollow = await api.api.api('DELETE', `/api/users/${api.star.user.id}/follow`, { token: api.token })
    expect(unfollow.status).toBe(200)
    const unfollowed = { site: await effects(site, marks.site), api: await effects(api, marks.api) }
    expect(unfollowed.site).toMatchObject({ starFollowers: 0, fanFollowing: 0, fanTimeline: 0 })
    expect(unfollowed.site.notice).toContain('0 followers<')
    expect(unfollowed.api).toEqual(unfollowed.site)
    site.live.ws.close()
    api.live.ws.close()
  })

  it('share one budget: once the site has used it up, the API is refused too (429, Retry-After)', async () => {
    const scene = await fanAndStar()
    expect((await scene.fan.client.post(`/follow/${scene.star.user.username}`)).status).toBe(303)
    const unfollow = await scene.api.api('DELETE', `/api/users/${scene.star.user.id}/follow`, { token: scene.token })
    expect(unfollow.status).toBe(200)
    for (let i = 2; i < FOLLOW_LIMIT.limit; i++)
      await hitRateLimit(db, `follow:user:${scene.fan.user.id}`, FOLLOW_LIMIT)

    const refused = await scene.api.api('POST', `/api/users/${scene.star.user.id}/follow`, { token: scene.token })
    expect(refused.status).toBe(429)
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0)
    expect((await scene.fan.client.post(`/follow/${scene.star.user.username}`)).status).toBe(429)
    expect((await getUserById(db, scene.star.user.id))!.followerCount).toBe(0)
    scene.live.ws.close()
  })
})
