import { evictDurableObject } from 'cloudflare:test'
import { exports } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { sendMessage } from '../../src/features/messages/actions'
import { db, env, loggedIn, makeUser, ORIGIN } from '../helpers'
import { openLive } from '../live-socket'

function liveRequest(headers: Record<string, string>) {
  return exports.default.fetch(new Request(`${ORIGIN}/live`, { headers: { Upgrade: 'websocket', ...headers } }))
}

describe('GET /live', () => {
  it('refuses a visitor without a session', async () => {
    const response = await liveRequest({ Origin: ORIGIN })
    expect(response.status).toBe(401)
    expect(response.webSocket).toBeNull()
  })

  it('refuses a foreign or missing Origin, even with a valid session cookie', async () => {
    const { client } = await loggedIn()
    const cookie = [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ')
    const foreign = await liveRequest({ Origin: 'https://evil.example', Cookie: cookie })
    expect(foreign.status).toBe(403)
    expect(foreign.webSocket).toBeNull()
    const sibling = await liveRequest({ Origin: 'http://localhost.evil.example', Cookie: cookie })
    expect(sibling.status).toBe(403)
    const missing = await liveRequest({ Cookie: cookie })
    expect(missing.status).toBe(403)
  })

  it('pushes the badge and the message to the recipient when another member sends one', async () => {
    const alice = await loggedIn()
    const bob = await loggedIn()
    const live = await openLive(bob.client)
    const sent = await alice.client.post(`/messages/${bob.user.username}`, { body: 'ping from alice' })
    expect(sent.status).toBe(303)
    const html = await live.next((m) => m.includes('unread-badge'))
    expect(html).toMatch(/<span id="unread-badge" class="badge" data-count="1" data-hx-swap-oob="true">/)
    expect(html).toContain(`data-hx-swap-oob="beforeend:#thread-${alice.user.id}"`)
    expect(html).toContain('ping from alice')
    // The appended message marks the open thread read when it lands.
    expect(html).toContain(`data-hx-post="/messages/${alice.user.username}/read"`)
    live.ws.close()
  })

  it("removes a deleted message from the recipient's open thread and corrects the badge", async () => {
    const alice = await loggedIn()
    const bob = await loggedIn()
    const { message } = await sendMessage(db, alice.user.id, bob.user.id, 'regret this')
    const live = await openLive(bob.client)
    expect((await alice.client.post(`/message/${message.id}/delete`)).status).toBe(303)
    const html = await live.next((m) => m.includes(`message-${message.id}`))
    expect(html).toContain(`<li id="message-${message.id}" data-hx-swap-oob="delete">`)
    expect(html).toContain('data-count="0"')
    live.ws.close()
  })

  it('updates the badge in other tabs when the thread is read', async () => {
    const alice = await makeUser()
    const bob = await loggedIn()
    await sendMessage(db, alice.id, bob.user.id, 'one')
    await sendMessage(db, alice.id, bob.user.id, 'two')
    const live = await openLive(bob.client)
    const opened = await bob.client.get(`/messages/${alice.username}`, { headers: { 'Sec-Fetch-Site': 'same-origin' } })
    expect(opened.status).toBe(200)
    const html = await live.next((m) => m.includes('unread-badge'))
    expect(html).toContain('data-count="0"')
    expect(html).toContain(' hidden')
    // The mark-read endpoint used by an open thread does the same.
    await sendMessage(db, alice.id, bob.user.id, 'three')
    const from = live.received.length
    expect((await bob.client.post(`/messages/${alice.username}/read`, {}, { htmx: true })).status).toBe(204)
    expect(await live.next((m) => m.includes('data-count="0"'), from)).toContain('unread-badge')
    live.ws.close()
  })

  it('shows "N new posts" on the home timeline of followers, counting per tab until seen', async () => {
    const author = await loggedIn()
    const reader = await loggedIn()
    await reader.client.post(`/follow/${author.user.username}`)
    const live = await openLive(reader.client)
    await author.client.post('/', { body: 'first news' })
    expect(await live.next((m) => m.includes('new-posts'))).toContain('1 new post<')
    await author.client.post('/', { body: 'second news' })
    expect(await live.next((m) => m.includes('2 new posts<'))).toContain('data-hx-get="/"')
    // The tab showed them: the hub counts from zero again.
    live.ws.send(JSON.stringify({ type: 'seen' }))
    await new Promise((resolve) => setTimeout(resolve, 50))
    const from = live.received.length
    await author.client.post('/', { body: 'third news' })
    expect(await live.next((m) => m.includes('new-posts'), from)).toContain('1 new post<')
    live.ws.close()
  })

  it("pushes the follower count to the followed member's own profile", async () => {
    const star = await loggedIn()
    const fan = await loggedIn()
    const live = await openLive(star.client)
    await fan.client.post(`/follow/${star.user.username}`)
    const html = await live.next((m) => m.includes(`stats-${star.user.id}`))
    expect(html).toContain('data-hx-swap-oob="true"')
    expect(html).toContain('1 follower<')
    live.ws.close()
  })

  it("renders pushed fragments in the socket's language", async () => {
    const alice = await makeUser()
    const bob = await loggedIn()
    await bob.client.post('/language', { lang: 'es', next: '/' })
    const live = await openLive(bob.client)
    await sendMessage(db, alice.id, bob.user.id, 'hola')
    const response = await bob.client.post(`/messages/${alice.username}/read`, {}, { htmx: true })
    expect(response.status).toBe(204)
    expect(await live.next((m) => m.includes('unread-badge'))).toContain('mensajes sin leer')
    live.ws.close()
  })

  it('keeps its sockets through eviction (hibernation) and still delivers', async () => {
    const alice = await loggedIn()
    const bob = await loggedIn()
    const live = await openLive(bob.client)
    const hub = env.MEMBER_HUB!.getByName(String(bob.user.id))
    expect(await hub.socketCount()).toBe(1)
    await evictDurableObject(hub)
    // A fresh instance: the socket survived, and so did its attachment (language, counts).
    expect(await hub.socketCount()).toBe(1)
    await alice.client.post(`/messages/${bob.user.username}`, { body: 'after eviction' })
    expect(await live.next((m) => m.includes('after eviction'))).toContain('data-count="1"')
    live.ws.close()
  })
})
