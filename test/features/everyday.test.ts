import { describe, expect, it } from 'vitest'
import { createPost } from '../../src/features/posts/queries'
import { Client, db, makeUser } from '../helpers'

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
