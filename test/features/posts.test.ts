import { describe, expect, it } from 'vitest'
import { Client, loggedIn, makeUser, postBodies } from '../helpers'
import { createPost } from '../../src/features/posts/queries'
import { db } from '../helpers'

/** The `before=` link of a page, as a path. */
function nextLink(html: string): string | null {
  const match = /<div class="more" data-hx-get="([^"]+)"/.exec(html)
  return match ? match[1]!.replaceAll('&amp;', '&') : null
}

describe('POST /', () => {
  it('publishes, flashes and redirects without JavaScript (PRG)', async () => {
    const { client } = await loggedIn()
    const response = await client.post('/', { body: '  Hello, world!  ' })
    expect(response.status).toBe(303)
    expect(response.headers.get('location')).toBe('/')
    const html = await (await client.get('/')).text()
    expect(html).toContain('Your post is now live!')
    expect(postBodies(html)[0]).toBe('Hello, world!')
    // The flash shows once.
    expect(await (await client.get('/')).text()).not.toContain('Your post is now live!')
  })

  it('returns a cleared form and the new post out of band under htmx', async () => {
    const { client } = await loggedIn()
    const response = await client.post('/', { body: 'via htmx' }, { htmx: true })
    expect(response.status).toBe(200)
    expect(response.headers.get('vary')).toContain('HX-Request')
    const html = await response.text()
    expect(html).not.toContain('<html')
    expect(html).toMatch(/<form id="post-form"[\s\S]*<textarea[^>]*><\/textarea>/)
    expect(html).toContain('data-hx-swap-oob="afterbegin:#posts"')
    expect(postBodies(html)).toEqual(['via htmx'])
  })

  it('rejects empty and too long posts with the typed text kept', async () => {
    const { client } = await loggedIn()
    let response = await client.post('/', { body: '   ' })
    expect(response.status).toBe(422)
    expect(await response.text()).toContain('Please write something first.')

    const long = 'x'.repeat(141)
    response = await client.post('/', { body: long }, { htmx: true })
    expect(response.status).toBe(422)
    const html = await response.text()
    expect(html).toContain('A post can be at most 140 characters.')
    expect(html).toContain(`>${long}</textarea>`)
    expect(html).toContain('aria-invalid="true"')
    response = await client.post('/', {})
    expect(response.status).toBe(422)
  })

  it('counts characters, not bytes or UTF-16 units', async () => {
    const { client } = await loggedIn()
    const emoji = '😀'.repeat(140)
    expect((await client.post('/', { body: emoji })).status).toBe(303)
    expect((await client.post('/', { body: 'ñ'.repeat(140) })).status).toBe(303)
    expect((await client.post('/', { body: '😀'.repeat(141) })).status).toBe(422)
  })

  it('requires a login', async () => {
    const response = await new Client().post('/', { body: 'anonymous' })
    expect(response.status).toBe(303)
    expect(response.headers.get('location')).toBe('/auth/login?next=%2F')
  })
})

describe('pagination', () => {
  it('pages 60 posts as 25, 25, 10 with no gap or repeat, even with new posts between loads', async () => {
    const { user, client } = await loggedIn()
    const base = Date.now() - 60_000
    for (let i = 0; i < 60; i++) await createPost(db, user, `p${i}`, null, base + i)

    const page1 = await (await client.get('/')).text()
    const first = postBodies(page1)
    expect(first).toHaveLength(25)
    expect(first[0]).toBe('p59')

    // Someone writes between page loads: keyset pagination is not disturbed.
    for (let i = 0; i < 3; i++) await createPost(db, user, `new${i}`, null)

    const page2 = await (await client.get(nextLink(page1)!, { htmx: true })).text()
    expect(page2).not.toContain('<html')
    const second = postBodies(page2)
    const page3 = await (await client.get(nextLink(page2)!)).text()
    const third = postBodies(page3)
    expect(second).toHaveLength(25)
    expect(third).toHaveLength(10)
    expect(nextLink(page3)).toBeNull()
    expect([...first, ...second, ...third]).toEqual(Array.from({ length: 60 }, (_, i) => `p${59 - i}`))
  })

  it('paginates explore and profiles the same way', async () => {
    const author = await makeUser()
    for (let i = 0; i < 30; i++) await createPost(db, author, `q${i}`, null, Date.now() - 1000 + i)
    const profile = await (await new Client().get(`/user/${author.username}`)).text()
    expect(postBodies(profile)).toHaveLength(25)
    const rest = await (await new Client().get(nextLink(profile)!)).text()
    expect(postBodies(rest)).toEqual(['q4', 'q3', 'q2', 'q1', 'q0'])
    const explore = await (await new Client().get('/explore')).text()
    expect(nextLink(explore)).toMatch(/^\/explore\?before=\d+-\d+$/)
  })

  it('shows an empty page past the end and 400 for a malformed cursor', async () => {
    const { client } = await loggedIn()
    const past = await client.get('/explore?before=1-1')
    expect(past.status).toBe(200)
    expect(postBodies(await past.text())).toEqual([])
    for (const bad of ['abc', '1', '-1-1', '1-1-1', "1-1'--", '99999999999999999999-1']) {
      const response = await client.get(`/explore?before=${encodeURIComponent(bad)}`)
      expect(response.status).toBe(400)
      expect(await response.text()).toContain('That page link is not valid.')
      expect((await client.get(`/?before=${encodeURIComponent(bad)}`)).status).toBe(400)
    }
  })

  it('has a plain "Older posts" link for browsers without JavaScript', async () => {
    const author = await makeUser()
    for (let i = 0; i < 26; i++) await createPost(db, author, `r${i}`, null, Date.now() - 1000 + i)
    const html = await (await new Client().get(`/user/${author.username}`)).text()
    expect(html).toMatch(
      /<div class="more" data-hx-get="[^"]+" data-hx-trigger="revealed"[^>]*><a href="\/user\/[^"?]+\?before=\d+-\d+"[^>]*>Older posts<\/a>/,
    )
  })
})

describe('htmx fragments', () => {
  it('serves a fragment to htmx and the page otherwise, both with Vary: HX-Request', async () => {
    const author = await makeUser()
    await createPost(db, author, 'fragment test', null)
    const fragment = await new Client().get('/explore', { htmx: true })
    const page = await new Client().get('/explore')
    expect(fragment.headers.get('vary')).toContain('HX-Request')
    expect(page.headers.get('vary')).toContain('HX-Request')
    const f = await fragment.text()
    const p = await page.text()
    expect(f).not.toContain('<html')
    expect(f).toContain('<article class="post"')
    expect(p).toMatch(/^<!DOCTYPE html><html lang="en">/)
    expect(p).toContain('<main id="main"')
    // A boosted request or a history restore wants the whole page.
    const restore = await new Client().get('/explore', {
      htmx: true,
      headers: { 'HX-History-Restore-Request': 'true' },
    })
    expect(await restore.text()).toContain('<html')
  })
})
