import { describe, expect, it } from 'vitest'
import { createApp } from '../../src/app'
import { createEmailChange } from '../../src/features/account/email-change'
import { createResetToken } from '../../src/features/auth/reset/queries'
import { followUser } from '../../src/features/follows/queries'
import { sendMessage } from '../../src/features/messages/actions'
import { getConversationSide } from '../../src/features/messages/queries'
import { createPost } from '../../src/features/posts/queries'
import { getUserById } from '../../src/features/users/queries'
import { startJob } from '../../src/features/data/jobs/queries'
import { isOwnNavigation } from '../../src/lib/fetch-site'
import { ApiClient } from '../api/contract'
import { ORIGIN, db, env, loggedIn, makeUser } from '../helpers'

const badge = async (userId: number) => (await getUserById(db, userId))!.unreadMessageCount

/** Bob with two unread messages from Alice. */
async function unreadThread() {
  const alice = await makeUser()
  const bob = await loggedIn()
  await sendMessage(db, alice.id, bob.user.id, 'first')
  await sendMessage(db, alice.id, bob.user.id, 'second')
  return { alice, bob }
}

describe('GET /messages/:username from another site', () => {
  const foreign: Array<[string, Record<string, string>]> = [
    ['a link on another site', { 'Sec-Fetch-Site': 'cross-site', Referer: 'https://evil.example/page' }],
    ['a sibling subdomain', { 'Sec-Fetch-Site': 'same-site' }],
    ['an old browser with a foreign Referer', { Referer: 'https://evil.example/page' }],
    ['an old browser with no Referer at all', {}],
    ['a Referer on another port', { Referer: 'http://localhost:8080/' }],
  ]
  for (const [what, headers] of foreign) {
    it(`shows the thread but leaves it unread: ${what}`, async () => {
      const { alice, bob } = await unreadThread()
      const page = await bob.client.get(`/messages/${alice.username}`, { headers })
      expect(page.status).toBe(200)
      const html = await page.text()
      expect(html).toContain('first')
      expect(html).toContain('second')
      expect(await badge(bob.user.id)).toBe(2)
      expect((await getConversationSide(db, bob.user.id, alice.id))!.unread).toBe(2)
    })
  }

  const own: Array<[string, Record<string, string>]> = [
    ['a link on our own pages', { 'Sec-Fetch-Site': 'same-origin' }],
    ['the address bar or a bookmark', { 'Sec-Fetch-Site': 'none' }],
    ['an old browser with our own Referer', { Referer: `${ORIGIN}/messages` }],
  ]
  for (const [what, headers] of own) {
    it(`marks the thread read: ${what}`, async () => {
      const { alice, bob } = await unreadThread()
      const page = await bob.client.get(`/messages/${alice.username}`, { headers })
      expect(page.status).toBe(200)
      expect(await badge(bob.user.id)).toBe(0)
      expect((await getConversationSide(db, bob.user.id, alice.id))!.unread).toBe(0)
      // The page's own badge already says so.
      expect(await page.text()).toMatch(/id="unread-badge"[^>]*data-count="0"/)
    })
  }

  it('Sec-Fetch-Site wins over a Referer that says otherwise', () => {
    const url = `${ORIGIN}/messages/alice`
    expect(isOwnNavigation(url, { secFetchSite: 'cross-site', referer: `${ORIGIN}/` })).toBe(false)
    expect(isOwnNavigation(url, { secFetchSite: 'same-origin', referer: 'https://evil.example/' })).toBe(true)
    expect(isOwnNavigation(url, { referer: 'not a url' })).toBe(false)
    expect(isOwnNavigation(url, { secFetchSite: 'SAME-ORIGIN' })).toBe(true)
  })
})

/** Every row of every table but the search index's, as text, for a before/after comparison. */
async function snapshot(): Promise<Map<string, string[]>> {
  const tables = await env.DB.prepare(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name NOT LIKE 'posts_fts%' AND name <> 'd1_migrations'",
  ).all<{ name: string }>()
  const rows = new Map<string, string[]>()
  for (const { name } of tables.results) {
    const all = await env.DB.prepare(`SELECT * FROM "${name}"`).all<Record<string, unknown>>()
    rows.set(
      name,
      all.results
        .map((row) => {
          // Allowed on any visit: "last seen", the session's sliding expiry, a token's "last used".
          const kept = { ...row }
          if (name === 'users') delete kept.last_seen_at
          if (name === 'sessions') {
            delete kept.expires_at
            delete kept.last_verified_at
          }
          if (name === 'api_tokens') delete kept.last_used_at
          return JSON.stringify(kept)
        })
        .sort(),
    )
  }
  return rows
}

describe('no GET changes anything when another site sends it', () => {
  it("leaves every row as it was for every GET route, with the member's cookies or at the API", async () => {
    const { alice, bob } = await unreadThread()
    await followUser(db, bob.user.id, alice.id)
    const post = await createPost(db, bob.user, 'a post of my own', 'en')
    const other = await createPost(db, alice, 'a post of hers', 'en')
    const job = await startJob(db, { userId: bob.user.id, kind: 'export', cursor: {} })
    const reset = await createResetToken(db, bob.user.id)
    const emailChange = await createEmailChange(db, bob.user.id, `new-${bob.user.email}`)
    const api = new ApiClient()
    const exportId = job.ok ? job.job.id : 0

    // Every GET route of the app must have a URL here: a new route fails this test until
    // someone has looked at whether it writes.
    const urls: Record<string, string> = {
      '/': '/',
      '/explore': '/explore',
      '/healthz': '/healthz',
      '/search': '/search?q=post',
      '/post/:id': `/post/${other.id}`,
      '/post/:id/delete': `/post/${post.id}/delete`,
      '/who-to-follow': '/who-to-follow',
      '/user/:username': `/user/${alice.username}`,
      '/user/:username/popup': `/user/${alice.username}/popup`,
      '/user/:username/followers': `/user/${alice.username}/followers`,
      '/user/:username/following': `/user/${bob.user.username}/following`,
      '/settings/profile': '/settings/profile',
      '/edit-profile': '/edit-profile',
      '/messages': '/messages',
      '/messages/:username': `/messages/${alice.username}`,
      '/live': '/live',
      '/settings/data': '/settings/data',
      '/settings/export/:id/status': `/settings/export/${exportId}/status`,
      '/settings/export/:id/download': `/settings/export/${exportId}/download`,
      '/settings/api-tokens': '/settings/api-tokens',
      '/settings/account': '/settings/account',
      '/settings/sessions': '/settings/sessions',
      '/auth/confirm-email/:token': `/auth/confirm-email/${emailChange}`,
      '/auth/register': '/auth/register',
      '/auth/login': '/auth/login',
      '/auth/logout': '/auth/logout',
      '/auth/reset-password': '/auth/reset-password',
      '/auth/reset-password/:token': `/auth/reset-password/${reset}`,
      '/dev/mail': '/dev/mail',
      '/dev/mail/:id{[0-9]+}/html': '/dev/mail/1/html',
      '/api/users/:id': `/api/users/${alice.id}`,
      '/api/users/by-username/:username': `/api/users/by-username/${alice.username}`,
      '/api/users': '/api/users',
      '/api/users/:id/followers': `/api/users/${alice.id}/followers`,
      '/api/users/:id/following': `/api/users/${bob.user.id}/following`,
      '/api/posts/:id': `/api/posts/${other.id}`,
      '/api/users/:id/posts': `/api/users/${alice.id}/posts`,
      '/api/timeline': '/api/timeline',
      '/api/explore': '/api/explore',
      '/api/messages': '/api/messages',
      '/api/messages/:username': `/api/messages/${alice.username}`,
      '/api/search': '/api/search?q=post',
      '/api/openapi.json': '/api/openapi.json',
      '/api/docs': '/api/docs',
    }
    const routes = [
      ...new Set(
        createApp()
          .routes.filter((r) => r.method === 'GET')
          .map((r) => r.path),
      ),
    ]
    expect(routes.filter((path) => !(path in urls))).toEqual([])

    const cross = { 'Sec-Fetch-Site': 'cross-site', Referer: 'https://evil.example/' }
    const before = await snapshot()
    for (const url of Object.values(urls)) {
      // The API reads no cookies: another site can send it only what it has itself — no
      // bearer token of the member's (a token's holder acts as the member by design).
      if (url.startsWith('/api/')) await api.fetch(url, { headers: cross })
      else await bob.client.get(url, { headers: cross })
    }
    // Writes after the answer (waitUntil) have had their chance.
    await new Promise((resolve) => setTimeout(resolve, 200))
    const after = await snapshot()
    // Only the rate-limit counters move (they count requests, which is their job).
    for (const name of after.keys()) {
      if (name !== 'rate_limits') expect({ name, rows: after.get(name) }).toEqual({ name, rows: before.get(name) })
    }
    expect(await badge(bob.user.id)).toBe(2)
  })
})
