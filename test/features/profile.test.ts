import { describe, expect, it } from 'vitest'
import { createPost } from '../../src/features/posts/queries'
import { gravatarHash } from '../../src/lib/gravatar'
import { Client, db, loggedIn, makeUser, uniqueName } from '../helpers'

describe('GET /user/:username', () => {
  it('shows avatar, about me, last seen, counts and posts', async () => {
    const user = await makeUser()
    await createPost(db, user, 'my first post', null)
    const html = await (await new Client().get(`/user/${user.username.toUpperCase()}`)).text()
    expect(html).toContain(`<h1>${user.username}</h1>`)
    expect(html).toContain(`https://www.gravatar.com/avatar/${gravatarHash(user.email)}?d=identicon&amp;s=256`)
    expect(html).toMatch(/Last seen <time datetime="\d{4}-\d\d-\d\dT[^"]+Z"/)
    expect(html).toContain('1 post<')
    expect(html).toContain('0 followers<')
    expect(html).toContain('0 following<')
    expect(html).toContain('my first post')
    // Anonymous visitors get no follow button.
    expect(html).not.toContain('>Follow<')
  })

  it('offers Edit profile to the owner and Follow to others', async () => {
    const { user, client } = await loggedIn()
    expect(await (await client.get(`/user/${user.username}`)).text()).toContain('href="/settings/profile"')
    const other = await makeUser()
    const html = await (await client.get(`/user/${other.username}`)).text()
    expect(html).toContain(`<form id="follow-${other.id}"`)
    expect(html).toContain('>Follow<')
  })

  it('answers 404 in the site layout for an unknown user', async () => {
    const response = await new Client().get('/user/nobody_at_all')
    expect(response.status).toBe(404)
    const html = await response.text()
    expect(html).toContain('<nav')
    expect(html).toContain('There is no user with that name.')
  })
})

describe('/settings/profile', () => {
  it('saves username and about me, then returns to the profile with the flash (PRG)', async () => {
    const { client } = await loggedIn()
    const name = uniqueName('Renamed_')
    const response = await client.post('/settings/profile', { username: name, about_me: ' Hello there ' })
    expect(response.status).toBe(303)
    expect(response.headers.get('location')).toBe(`/user/${name}`)
    const profile = await (await client.get(`/user/${name}`)).text()
    expect(profile).toContain('Your changes have been saved.')
    expect(profile).toContain('Hello there')
    const form = await (await client.get('/settings/profile')).text()
    expect(form).toContain(`value="${name}"`)
    // A Cancel link goes back to the profile without saving.
    expect(form).toContain(`<a href="/user/${name}" class="cancel">Cancel</a>`)
    expect(form).toContain('>Hello there</textarea>')
    expect((await new Client().get(`/user/${name}`)).status).toBe(200)
  })

  it('re-checks username uniqueness and the 140-character about me, keeping input', async () => {
    const { user, client } = await loggedIn()
    const other = await makeUser()
    let response = await client.post('/settings/profile', {
      username: other.username.toLowerCase(),
      about_me: 'kept text',
    })
    expect(response.status).toBe(422)
    let html = await response.text()
    expect(html).toContain('That username is taken')
    expect(html).toContain('>kept text</textarea>')

    response = await client.post('/settings/profile', { username: user.username, about_me: 'a'.repeat(141) })
    expect(response.status).toBe(422)
    html = await response.text()
    expect(html).toContain('About me can be at most 140 characters.')

    // Changing only the case of your own name is allowed.
    response = await client.post('/settings/profile', { username: user.username.toUpperCase(), about_me: '' })
    expect(response.status).toBe(303)
  })

  it('requires a login', async () => {
    expect((await new Client().post('/settings/profile', { username: 'x', about_me: '' })).status).toBe(303)
  })
})

describe('last seen', () => {
  it('is written at most every few minutes', async () => {
    const { user, client } = await loggedIn()
    const { getUserById } = await import('../../src/features/users/queries')
    const { users } = await import('../../src/db/schema')
    const { eq } = await import('drizzle-orm')
    const old = Date.now() - 10 * 60 * 1000
    await db.update(users).set({ lastSeenAt: old }).where(eq(users.id, user.id))
    await client.get('/')
    const seen = (await getUserById(db, user.id))!.lastSeenAt
    expect(seen).toBeGreaterThan(old)
    const recent = Date.now() - 60 * 1000
    await db.update(users).set({ lastSeenAt: recent }).where(eq(users.id, user.id))
    await client.get('/')
    expect((await getUserById(db, user.id))!.lastSeenAt).toBe(recent)
  })
})
