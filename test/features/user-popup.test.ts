import { sql } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { getUserById } from '../../src/features/users/queries'
import { Client, db, loggedIn, makeUser } from '../helpers'

describe('GET /user/:username/popup', () => {
  it('shows an anonymous reader the card without a button, cacheable for 30 s', async () => {
    const user = await makeUser()
    await db.run(sql`UPDATE users SET about_me = ${'I like <b>tea</b>'} WHERE id = ${user.id}`)
    const response = await new Client().get(`/user/${user.username}/popup`)
    expect(response.status).toBe(200)
    expect(response.headers.get('cache-control')).toBe('public, max-age=30')
    expect(response.headers.get('vary')).toContain('Cookie')
    const html = await response.text()
    expect(html).not.toContain('<html')
    expect(html).toContain(`<a class="popup-name" href="/user/${user.username}">${user.username}</a>`)
    // Shown at 64 px (the image asks for 2x, like every avatar).
    expect(html).toMatch(/<img class="avatar" src="[^"]*s=128[^"]*" width="64" height="64"/)
    expect(html).toContain('I like &lt;b&gt;tea&lt;/b&gt;')
    expect(html).toContain('Last seen')
    expect(html).toContain('<time datetime=')
    expect(html).toContain(`id="popup-stats-${user.id}"`)
    expect(html).toContain('0 posts')
    expect(html).toContain('0 followers')
    expect(html).not.toContain('<form')
    expect(html).not.toContain('href="/messages/')
  })

  it('gives a member a private card with a working Follow button', async () => {
    const { client } = await loggedIn()
    const other = await makeUser()
    const response = await client.get(`/user/${other.username}/popup`, { htmx: true })
    expect(response.status).toBe(200)
    expect(response.headers.get('cache-control')).toMatch(/^private/)
    const html = await response.text()
    expect(html).toContain(`id="popup-follow-${other.id}"`)
    expect(html).toContain(`data-hx-post="/follow/${other.username}?in=popup"`)
    expect(html).toContain('>Follow<')
    expect(html).toContain(`href="/messages/${other.username}"`)

    await client.post(`/follow/${other.username}`)
    const again = await (await client.get(`/user/${other.username}/popup`)).text()
    expect(again).toContain(`data-hx-post="/unfollow/${other.username}?in=popup"`)
  })

  it('shows no button on your own card', async () => {
    const { user, client } = await loggedIn()
    const html = await (await client.get(`/user/${user.username}/popup`)).text()
    expect(html).toContain(user.username)
    expect(html).not.toContain('<form')
    expect(html).not.toContain('href="/messages/')
  })

  it('answers a 404 fragment for an unknown user', async () => {
    const response = await new Client().get('/user/nobody_here_at_all/popup', { htmx: true })
    expect(response.status).toBe(404)
    const html = await response.text()
    expect(html).not.toContain('<html')
    expect(html).toContain('There is no user with that name.')
  })
})

describe('Follow from a popup', () => {
  it('swaps the popup button and updates the popup counts out of band', async () => {
    const { user: me, client } = await loggedIn()
    const other = await makeUser()
    const response = await client.post(`/follow/${other.username}?in=popup`, {}, { htmx: true })
    expect(response.status).toBe(200)
    const html = await response.text()
    expect(html).toContain(`id="popup-follow-${other.id}"`)
    expect(html).toContain(`data-hx-post="/unfollow/${other.username}?in=popup"`)
    expect(html).toContain(`<ul class="stats" id="popup-stats-${other.id}" data-hx-swap-oob="true">`)
    expect(html).toContain('1 follower<')
    expect((await getUserById(db, me.id))!.followingCount).toBe(1)

    const back = await (await client.post(`/unfollow/${other.username}?in=popup`, {}, { htmx: true })).text()
    expect(back).toContain(`data-hx-post="/follow/${other.username}?in=popup"`)
    expect(back).toContain('0 followers<')
  })

  it('still redirects to the profile without JavaScript, and needs CSRF-safe requests', async () => {
    const { client } = await loggedIn()
    const other = await makeUser()
    const plain = await client.post(`/follow/${other.username}?in=popup`)
    expect(plain.status).toBe(303)
    expect(plain.headers.get('location')).toBe(`/user/${other.username}`)
    const crossSite = await client.post(`/unfollow/${other.username}?in=popup`, {}, { origin: 'https://evil.example' })
    expect(crossSite.status).toBe(403)
    expect((await getUserById(db, other.id))!.followerCount).toBe(1)
  })
})
