import { describe, expect, it } from 'vitest'
import { createPost } from '../../src/features/posts/queries'
import { followUser } from '../../src/features/follows/queries'
import { Client, db, loggedIn, makeUser } from '../helpers'

describe('Translate clicked by a visitor', () => {
  it('goes to the login page with next = the page the visitor was on (no JavaScript)', async () => {
    const author = await makeUser()
    const post = await createPost(db, author, 'Hola a todos, esto es una prueba', 'es')
    const response = await new Client().post(
      `/translate/${post.id}`,
      {},
      {
        headers: { Referer: `http://localhost/user/${author.username}?before=1-1` },
      },
    )
    expect(response.status).toBe(303)
    expect(response.headers.get('location')).toBe(
      `/auth/login?next=${encodeURIComponent(`/user/${author.username}?before=1-1`)}`,
    )
  })

  it('under htmx gets HX-Redirect to the login page with next = the current page', async () => {
    const author = await makeUser()
    const post = await createPost(db, author, 'Hola a todos, esto es otra prueba', 'es')
    const response = await new Client().post(
      `/translate/${post.id}`,
      {},
      {
        htmx: true,
        headers: { 'HX-Current-URL': 'http://localhost/explore' },
      },
    )
    expect(response.status).toBe(401)
    expect(response.headers.get('HX-Redirect')).toBe('/auth/login?next=%2Fexplore')
  })

  it('never sends the visitor to another site', async () => {
    const author = await makeUser()
    const post = await createPost(db, author, 'Hola de nuevo, una prueba más', 'es')
    for (const referer of ['https://evil.example/x', 'http://localhost//evil.example']) {
      const response = await new Client().post(`/translate/${post.id}`, {}, { headers: { Referer: referer } })
      expect(response.headers.get('location')).toBe('/auth/login?next=%2F')
    }
  })
})

describe('people you can act on', () => {
  it('shows Follow/Unfollow beside each person in followers lists (not beside yourself)', async () => {
    const { user: viewer, client } = await loggedIn()
    const star = await makeUser()
    const fan = await makeUser()
    await followUser(db, fan.id, star.id)
    await followUser(db, viewer.id, star.id)
    await followUser(db, viewer.id, fan.id)
    const html = await (await client.get(`/user/${star.username}/followers`)).text()
    expect(html).toContain(
      `<form id="follow-${fan.id}" class="follow-form" method="post" action="/unfollow/${fan.username}"`,
    )
    expect(html).not.toContain(`id="follow-${viewer.id}"`)
    // Visitors see the list without buttons.
    const visitor = await (await new Client().get(`/user/${star.username}/followers`)).text()
    expect(visitor).not.toContain('class="follow-form"')
  })

  it('without JavaScript, following from a list comes back to the list', async () => {
    const { client } = await loggedIn()
    const other = await makeUser()
    const response = await client.post(
      `/follow/${other.username}`,
      {},
      {
        headers: { Referer: `http://localhost/user/${other.username}/followers` },
      },
    )
    expect(response.headers.get('location')).toBe(`/user/${other.username}/followers`)
  })

  it('suggests active members not followed yet: inline on an empty timeline, loaded by htmx beside a full one', async () => {
    const { user, client } = await loggedIn()
    const active = await makeUser()
    const followed = await makeUser()
    await createPost(db, active, 'I post a lot', null)
    await createPost(db, followed, 'me too', null)
    const asideOf = (html: string) => /<aside class="who-to-follow[^"]*"[\s\S]*?<\/aside>/.exec(html)?.[0] ?? ''
    // Empty timeline: the block is in the page (works without JavaScript).
    const empty = asideOf(await (await client.get('/')).text())
    expect(empty).toContain('Who to follow')
    expect(empty).toContain(`action="/follow/${active.username}"`)
    expect(empty).not.toContain(`/user/${user.username}"`)

    await followUser(db, user.id, followed.id)
    const full = await (await client.get('/')).text()
    expect(asideOf(full)).toBe('')
    expect(full).toContain('data-hx-get="/who-to-follow"')
    const fragment = await (await client.get('/who-to-follow', { htmx: true })).text()
    expect(fragment).toContain(`action="/follow/${active.username}"`)
    expect(fragment).not.toContain(`/user/${followed.username}"`)
    expect(fragment).not.toContain(`/user/${user.username}"`)
  })
})

describe('navigation', () => {
  it('marks the current page with aria-current', async () => {
    const { user, client } = await loggedIn()
    const home = await (await client.get('/')).text()
    expect(home).toContain('<a href="/" aria-current="page">Home</a>')
    expect(home).toContain('<a href="/explore">Explore</a>')
    const profile = await (await client.get(`/user/${user.username}`)).text()
    expect(profile).toContain(`<a href="/user/${user.username}" aria-current="page">Profile</a>`)
    const login = await (await new Client().get('/auth/login')).text()
    expect(login).toContain('<a href="/auth/login" aria-current="page">Log in</a>')
  })
})

describe('avatars', () => {
  it('ask for twice the shown size; the profile avatar (256) is not lazy-loaded', async () => {
    const { user, client } = await loggedIn()
    await createPost(db, user, 'avatar sizes', null)
    const html = await (await client.get(`/user/${user.username}`)).text()
    const top = /<section class="card profile"><img [^>]*>/.exec(html)?.[0] ?? ''
    expect(top).toContain('s=256"')
    expect(top).toContain('width="128"')
    expect(top).not.toContain('loading="lazy"')
    const inPost = /<article class="post"[^>]*><img [^>]*>/.exec(html)?.[0] ?? ''
    expect(inPost).toContain('s=96"')
    expect(inPost).toContain('width="48"')
    expect(inPost).toContain('loading="lazy"')
  })
})
