import { describe, expect, it } from 'vitest'
import { createPost } from '../../src/features/posts/queries'
import { followUser } from '../../src/features/follows/queries'
import { getUserById } from '../../src/features/users/queries'
import { Client, db, env, loggedIn, makeUser, postBodies } from '../helpers'

async function timelineCount(postId: number): Promise<number> {
  const row = await env.DB.prepare('SELECT count(*) AS n FROM timeline_entries WHERE post_id = ?')
    .bind(postId)
    .first<{ n: number }>()
  return row!.n
}

describe('GET /post/:id', () => {
  it('shows the post to anyone, with description and Open Graph tags', async () => {
    const author = await makeUser()
    const post = await createPost(db, author, 'A post worth <sharing> & previewing', 'en')
    const response = await new Client().get(`/post/${post.id}`)
    expect(response.status).toBe(200)
    const html = await response.text()
    expect(postBodies(html)).toEqual(['A post worth &lt;sharing&gt; &amp; previewing'])
    expect(html).toContain('<meta name="description" content="A post worth &lt;sharing&gt; &amp; previewing"/>')
    expect(html).toContain('<meta property="og:type" content="article"/>')
    expect(html).toContain(`<meta property="og:url" content="http://localhost/post/${post.id}"/>`)
    expect(html).toMatch(
      /<meta property="og:image" content="https:\/\/www\.gravatar\.com\/avatar\/[0-9a-f]{64}\?d=identicon&amp;s=256"\/>/,
    )
    expect(html).toContain(`<meta property="og:title" content="${author.username} on Microblog"/>`)
  })

  it('is 404 for unknown or malformed ids', async () => {
    const client = new Client()
    for (const id of ['999999999', 'abc', '0', '1e3']) {
      const response = await client.get(`/post/${id}`)
      expect(response.status).toBe(404)
      expect(await response.text()).toContain('There is no post at this address')
    }
  })

  it('is linked from the time of each post in a timeline', async () => {
    const author = await makeUser()
    const post = await createPost(db, author, 'linked by its time', null)
    const html = await (await new Client().get(`/user/${author.username}`)).text()
    expect(html).toMatch(new RegExp(`<a class="permalink" href="/post/${post.id}"><time datetime=`))
  })

  it('gives profiles and explore a description too', async () => {
    const { user } = await loggedIn()
    const profile = await (await new Client().get(`/user/${user.username}`)).text()
    expect(profile).toContain('<meta property="og:type" content="profile"/>')
    expect(profile).toMatch(/<meta name="description" content="[^"]+"\/>/)
    const explore = await (await new Client().get('/explore')).text()
    expect(explore).toContain('<meta name="description" content="The latest posts from everyone on Microblog."/>')
  })
})

describe('POST /post/:id/delete', () => {
  it('removes the post from every timeline and fixes the count in one go (no JavaScript)', async () => {
    const { user, client } = await loggedIn()
    const reader = await makeUser()
    await followUser(db, reader.id, user.id)
    const keep = await createPost(db, user, 'keep me', null)
    const post = await createPost(db, user, 'delete me', null)
    expect(await timelineCount(post.id)).toBe(2)
    expect((await getUserById(db, user.id))!.postCount).toBe(2)

    // The Delete button (a GET without JavaScript) asks first.
    const confirm = await client.get(`/post/${post.id}/delete`, {
      headers: { Referer: `http://localhost/user/${user.username}` },
    })
    expect(confirm.status).toBe(200)
    const page = await confirm.text()
    expect(page).toContain(`<form method="post" action="/post/${post.id}/delete"`)
    expect(page).toContain(`name="next" value="/user/${user.username}"`)

    const response = await client.post(`/post/${post.id}/delete`, { next: `/user/${user.username}` })
    expect(response.status).toBe(303)
    expect(response.headers.get('location')).toBe(`/user/${user.username}`)
    expect(await timelineCount(post.id)).toBe(0)
    expect(await timelineCount(keep.id)).toBe(2)
    expect((await getUserById(db, user.id))!.postCount).toBe(1)
    const html = await (await client.get(`/user/${user.username}`)).text()
    expect(html).toContain('Your post has been deleted.')
    expect(postBodies(html)).toEqual(['keep me'])
    expect((await new Client().get(`/post/${post.id}`)).status).toBe(404)
  })

  it('under htmx answers with nothing for the post and a notice out of band', async () => {
    const { user, client } = await loggedIn()
    const post = await createPost(db, user, 'gone in place', null)
    const response = await client.post(`/post/${post.id}/delete`, {}, { htmx: true })
    expect(response.status).toBe(200)
    const html = await response.text()
    expect(html).toMatch(/^<div data-hx-swap-oob="innerHTML:#messages-top">/)
    expect(html).toContain('Your post has been deleted.')
    expect(await getPostCount(user.id)).toBe(0)
  })

  it('sends htmx home when the post deleted was the page itself', async () => {
    const { user, client } = await loggedIn()
    const post = await createPost(db, user, 'on its own page', null)
    const response = await client.post(
      `/post/${post.id}/delete`,
      {},
      {
        htmx: true,
        headers: { 'HX-Current-URL': `http://localhost/post/${post.id}` },
      },
    )
    expect(response.headers.get('HX-Redirect')).toBe('/')
  })

  it("refuses someone else's post (403) and unknown posts (404); anonymous goes to log in", async () => {
    const { client } = await loggedIn()
    const other = await makeUser()
    const post = await createPost(db, other, 'not yours', null)
    const forbidden = await client.post(`/post/${post.id}/delete`)
    expect(forbidden.status).toBe(403)
    expect(await forbidden.text()).toContain('You can only delete your own posts.')
    expect((await client.get(`/post/${post.id}/delete`)).status).toBe(403)
    expect((await client.post('/post/999999999/delete')).status).toBe(404)
    expect((await client.post('/post/abc/delete')).status).toBe(404)
    const anonymous = await new Client().post(`/post/${post.id}/delete`)
    expect(anonymous.status).toBe(303)
    expect(anonymous.headers.get('location')).toMatch(/^\/auth\/login/)
    expect(await getPostCount(other.id)).toBe(1)
  })

  it('keeps the count right when two deletes race', async () => {
    const { user, client } = await loggedIn()
    await createPost(db, user, 'stays', null)
    const post = await createPost(db, user, 'raced', null)
    const statuses = await Promise.all(
      [1, 2, 3].map(() => client.post(`/post/${post.id}/delete`).then((r) => r.status)),
    )
    expect(statuses).toContain(303)
    expect(await getPostCount(user.id)).toBe(1)
  })

  it('is refused from another site (CSRF)', async () => {
    const { user, client } = await loggedIn()
    const post = await createPost(db, user, 'csrf target', null)
    const response = await client.post(`/post/${post.id}/delete`, {}, { origin: 'https://evil.example' })
    expect(response.status).toBe(403)
    expect(await getPostCount(user.id)).toBe(1)
  })
})

async function getPostCount(userId: number) {
  return (await getUserById(db, userId))!.postCount
}

describe('POST / with a one-time form key', () => {
  it('makes one post from three identical requests sent at the same moment', async () => {
    const { user, client } = await loggedIn()
    const form = { body: 'only once, please', form_key: crypto.randomUUID() }
    const responses = await Promise.all([1, 2, 3].map(() => client.post('/', form)))
    expect(responses.map((r) => r.status)).toEqual([303, 303, 303])
    const rows = await env.DB.prepare('SELECT count(*) AS n FROM posts WHERE user_id = ?')
      .bind(user.id)
      .first<{ n: number }>()
    expect(rows!.n).toBe(1)
    expect(await getPostCount(user.id)).toBe(1)
    const home = await (await client.get('/')).text()
    expect(postBodies(home)).toEqual(['only once, please'])
  })

  it('under htmx a repeat gets a clean form and no second copy of the post', async () => {
    const { client } = await loggedIn()
    const form = { body: 'htmx once', form_key: crypto.randomUUID() }
    const first = await (await client.post('/', form, { htmx: true })).text()
    const second = await (await client.post('/', form, { htmx: true })).text()
    expect(postBodies(first)).toEqual(['htmx once'])
    expect(postBodies(second)).toEqual([])
    expect(second).toContain('id="post-form"')
  })

  it('renders a fresh key in every form and refuses a malformed one', async () => {
    const { client } = await loggedIn()
    const keyOf = (html: string) => /name="form_key" value="([^"]+)"/.exec(html)?.[1]
    const a = keyOf(await (await client.get('/')).text())
    const b = keyOf(await (await client.get('/')).text())
    expect(a).toMatch(/^[0-9a-f-]{36}$/)
    expect(a).not.toBe(b)
    const response = await client.post('/', { body: 'bad key', form_key: 'x' })
    expect(response.status).toBe(422)
    expect(await response.text()).toContain('>bad key</textarea>')
  })
})
