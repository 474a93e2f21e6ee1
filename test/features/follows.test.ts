import { describe, expect, it } from 'vitest'
import { followUser } from '../../src/features/follows/queries'
import { getUserById } from '../../src/features/users/queries'
import { Client, db, loggedIn, makeUser } from '../helpers'

describe('POST /follow/:username and /unfollow/:username', () => {
  it('updates counts, and following twice is a no-op', async () => {
    const { user: me, client } = await loggedIn()
    const other = await makeUser()
    expect((await client.post(`/follow/${other.username}`)).status).toBe(303)
    expect((await client.post(`/follow/${other.username}`)).status).toBe(303)
    expect((await getUserById(db, other.id))!.followerCount).toBe(1)
    expect((await getUserById(db, me.id))!.followingCount).toBe(1)

    const profile = await (await client.get(`/user/${other.username}`)).text()
    expect(profile).toContain('1 follower<')
    expect(profile).toContain('>Unfollow<')

    expect((await client.post(`/unfollow/${other.username}`)).status).toBe(303)
    expect((await client.post(`/unfollow/${other.username}`)).status).toBe(303)
    expect((await getUserById(db, other.id))!.followerCount).toBe(0)
    expect((await getUserById(db, me.id))!.followingCount).toBe(0)
  })

  it('redirects back to the profile with a flash without JavaScript', async () => {
    const { client } = await loggedIn()
    const other = await makeUser()
    const response = await client.post(`/follow/${other.username}`)
    expect(response.headers.get('location')).toBe(`/user/${other.username}`)
    const page = await (await client.get(`/user/${other.username}`)).text()
    expect(page).toContain('You are now following them.')
  })

  it('swaps the button and updates counts in place under htmx', async () => {
    const { client } = await loggedIn()
    const other = await makeUser()
    const response = await client.post(`/follow/${other.username}`, {}, { htmx: true })
    expect(response.status).toBe(200)
    const html = await response.text()
    expect(html).not.toContain('<html')
    expect(html).toContain(`id="follow-${other.id}"`)
    expect(html).toContain(`data-hx-post="/unfollow/${other.username}"`)
    expect(html).toMatch(new RegExp(`<ul class="stats" id="stats-${other.id}" data-hx-swap-oob="true">`))
    expect(html).toContain('1 follower<')
    const back = await (await client.post(`/unfollow/${other.username}`, {}, { htmx: true })).text()
    expect(back).toContain(`data-hx-post="/follow/${other.username}"`)
    expect(back).toContain('0 followers<')
  })

  it('refuses to follow yourself', async () => {
    const { user, client } = await loggedIn()
    const response = await client.post(`/follow/${user.username}`)
    expect(response.status).toBe(400)
    expect(await response.text()).toContain('You cannot follow yourself.')
    expect((await getUserById(db, user.id))!.followingCount).toBe(0)
  })

  it('answers 404 for an unknown user', async () => {
    const { client } = await loggedIn()
    expect((await client.post('/follow/nobody_at_all')).status).toBe(404)
    expect((await client.post('/unfollow/nobody_at_all')).status).toBe(404)
  })

  it('requires a login', async () => {
    const other = await makeUser()
    const response = await new Client().post(`/follow/${other.username}`)
    expect(response.status).toBe(303)
    expect(response.headers.get('location')).toMatch(/^\/auth\/login/)
    expect((await getUserById(db, other.id))!.followerCount).toBe(0)
  })
})

describe('GET /user/:username/followers and /following', () => {
  it('lists people, newest first, paginated', async () => {
    const star = await makeUser()
    const fans = []
    // Through the query rather than 27 logins over HTTP (following itself is tested above).
    const base = Date.now() - 100_000
    for (let i = 0; i < 27; i++) {
      const user = await makeUser()
      await followUser(db, user.id, star.id, base + i)
      fans.push(user)
    }
    const first = await (await new Client().get(`/user/${star.username}/followers`)).text()
    const names = [...first.matchAll(/<a class="author" href="\/user\/([^"]+)"/g)].map((m) => m[1])
    expect(names).toEqual(
      fans
        .slice(-25)
        .reverse()
        .map((u) => u.username),
    )
    const next = /href="(\/user\/[^"]+\/followers\?before=[^"]+)"/.exec(first)![1]!.replaceAll('&amp;', '&')
    const second = await (await new Client().get(next, { htmx: true })).text()
    const more = [...second.matchAll(/<a class="author" href="\/user\/([^"]+)"/g)].map((m) => m[1])
    expect(more).toEqual(
      fans
        .slice(0, 2)
        .reverse()
        .map((u) => u.username),
    )

    const following = await (await new Client().get(`/user/${fans[0]!.username}/following`)).text()
    expect(following).toContain(`href="/user/${star.username}"`)
    // 27 real logins (scrypt each): ~11 s alone, over 30 s when the whole suite shares 2 cores.
  }, 90_000)

  it('answers 404 for an unknown user and 400 for a bad cursor', async () => {
    expect((await new Client().get('/user/nobody_at_all/followers')).status).toBe(404)
    const star = await makeUser()
    expect((await new Client().get(`/user/${star.username}/following?before=zzz`)).status).toBe(400)
  })
})
