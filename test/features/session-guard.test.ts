import { describe, expect, it } from 'vitest'
import { Client, env, loggedIn, makeUser } from '../helpers'

const MESSAGE = 'You signed in as someone else in another tab'

async function postCount(userId: number) {
  const row = await env.DB.prepare('SELECT count(*) AS n FROM posts WHERE user_id = ?')
    .bind(userId)
    .first<{ n: number }>()
  return row!.n
}

describe('two tabs, two accounts', () => {
  it('puts the member id in the forms of a page and on <body> for htmx', async () => {
    const { user, client } = await loggedIn()
    const html = await (await client.get('/')).text()
    expect(html).toContain(`<body data-hx-headers="{&quot;X-As-User&quot;:&quot;${user.id}&quot;}"`)
    for (const action of ['action="/"', 'action="/auth/logout"', 'action="/language"']) {
      const form = new RegExp(`<form[^>]*${action}[\\s\\S]*?</form>`).exec(html)?.[0]
      expect(form, action).toContain(`<input type="hidden" name="as_user" value="${user.id}"/>`)
    }
    // Visitors' pages carry nothing.
    const visitor = await (await new Client().get('/explore')).text()
    expect(visitor).not.toContain('as_user')
    expect(visitor).not.toContain('X-As-User')
  })

  it('refuses a form rendered for another account, and saves nothing (no JavaScript)', async () => {
    const { user: a } = await loggedIn()
    const { user: b, client } = await loggedIn() // the browser's session is now B's
    const response = await client.post('/', { body: 'written as A', as_user: String(a.id) })
    expect(response.status).toBe(409)
    expect(await response.text()).toContain(MESSAGE)
    expect(await postCount(a.id)).toBe(0)
    expect(await postCount(b.id)).toBe(0)
    // The same form rendered for B goes through.
    expect((await client.post('/', { body: 'written as B', as_user: String(b.id) })).status).toBe(303)
    expect(await postCount(b.id)).toBe(1)
  })

  it('refuses htmx requests whose X-As-User header names another account', async () => {
    const { user: a } = await loggedIn()
    const { user: b, client } = await loggedIn()
    const other = await makeUser()
    const refused = await client.post(
      `/follow/${other.username}`,
      {},
      { htmx: true, headers: { 'X-As-User': String(a.id) } },
    )
    expect(refused.status).toBe(409)
    expect(await refused.text()).toContain(MESSAGE)
    const followed = await env.DB.prepare('SELECT count(*) AS n FROM follows WHERE follower_id = ?')
      .bind(b.id)
      .first<{ n: number }>()
    expect(followed!.n).toBe(0)
    const ok = await client.post(
      `/follow/${other.username}`,
      {},
      { htmx: true, headers: { 'X-As-User': String(b.id) } },
    )
    expect(ok.status).toBe(200)
  })
})
