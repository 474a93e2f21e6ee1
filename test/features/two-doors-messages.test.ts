import { describe, expect, it } from 'vitest'
import { MESSAGE_RATE_LIMITS } from '../../src/features/messages/schemas'
import { sendMessage } from '../../src/features/messages/actions'
import { getConversationSide } from '../../src/features/messages/queries'
import { getUserById } from '../../src/features/users/queries'
import { db, loggedIn, PASSWORD } from '../helpers'
import { openLive } from '../live-socket'
import { ApiClient } from '../api/contract'

// The thread page's forms and the API are two doors to one action per write: sending,
// marking read and deleting leave the same rows, counts and live notices behind.

/** A sender who can act through both doors, and a recipient watching live. */
async function pair() {
  const sender = await loggedIn()
  const api = new ApiClient()
  const token = await api.token(sender.user.username, PASSWORD)
  const recipient = await loggedIn()
  const live = await openLive(recipient.client)
  return { sender, api, token, recipient, live }
}

type Pair = Awaited<ReturnType<typeof pair>>

/** The recipient's badge and thread count, and the newest matching notice, with names and ids made neutral. */
async function effects(scene: Pair, match: (html: string) => boolean, from: number) {
  const notice = await scene.live.next(match, from)
  const side = await getConversationSide(db, scene.recipient.user.id, scene.sender.user.id)
  return {
    badge: (await getUserById(db, scene.recipient.user.id))!.unreadMessageCount,
    threadUnread: side?.unread ?? null,
    notice: notice
      .replace(/message-\d+/g, 'message-ID')
      .replaceAll(`thread-${scene.sender.user.id}`, 'thread-ID')
      .replaceAll(encodeURIComponent(scene.sender.user.username), 'NAME')
      .replace(/<time [^>]*>[^<]*<\/time>/g, '<time/>')
      .replace(/gravatar\.com\/avatar\/[0-9a-f]+/g, 'gravatar.com/avatar/HASH'),
  }
}

describe('sending a message: the thread form and POST /api/messages/:username', () => {
  it('leave the same badge, thread count and live message; both refuse yourself', async () => {
    const site = await pair()
    const api = await pair()
    expect(
      (await site.sender.client.post(`/messages/${site.recipient.user.username}`, { body: 'hi there' })).status,
    ).toBe(303)
    const reply = await api.api.api('POST', `/api/messages/${api.recipient.user.username}`, {
      token: api.token,
      json: { body: 'hi there' },
    })
    expect(reply.status).toBe(201)

    const isMessage = (m: string) => m.includes('hi there')
    const throughSite = await effects(site, isMessage, 0)
    const throughApi = await effects(api, isMessage, 0)
    expect(throughSite).toMatchObject({ badge: 1, threadUnread: 1 })
    expect(throughSite.notice).toContain('data-count="1"')
    expect(throughApi).toEqual(throughSite)

    expect((await site.sender.client.post(`/messages/${site.sender.user.username}`, { body: 'me' })).status).toBe(422)
    const me = await api.api.api('POST', `/api/messages/${api.sender.user.username}`, {
      token: api.token,
      json: { body: 'me' },
    })
    expect(me.status).toBe(422)
    site.live.ws.close()
    api.live.ws.close()
  })

  it('share one budget: half the burst through each door, and the next message is refused at both (429)', async () => {
    const scene = await pair()
    const path = `/messages/${scene.recipient.user.username}`
    const half = MESSAGE_RATE_LIMITS.perMinute.limit / 2
    for (let i = 0; i < half; i++) {
      expect((await scene.sender.client.post(path, { body: `site ${i}` })).status).toBe(303)
      const sent = await scene.api.api('POST', `/api${path}`, { token: scene.token, json: { body: `api ${i}` } })
      expect(sent.status).toBe(201)
    }
    const refused = await scene.api.api('POST', `/api${path}`, { token: scene.token, json: { body: 'no' } })
    expect(refused.status).toBe(429)
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0)
    const form = await scene.sender.client.post(path, { body: 'no' })
    expect(form.status).toBe(429)
    expect(Number(form.headers.get('retry-after'))).toBeGreaterThan(0)
    expect((await getUserById(db, scene.recipient.user.id))!.unreadMessageCount).toBe(2 * half)
    scene.live.ws.close()
  })
})

describe('marking a thread read: POST /messages/:username/read and GET /api/messages/:username', () => {
  it("leave the same zero thread count, lowered badge and badge notice in the reader's tabs", async () => {
    // Here the recipient reads: each door is used by the recipient of two messages.
    const scenes = { site: await pair(), api: await pair() }
    const results: Record<string, unknown> = {}
    for (const [door, scene] of Object.entries(scenes)) {
      for (const body of ['one', 'two']) await sendMessage(db, scene.sender.user.id, scene.recipient.user.id, body)
      const from = scene.live.received.length
      if (door === 'site') {
        const marked = await scene.recipient.client.post(
          `/messages/${scene.sender.user.username}/read`,
          {},
          { htmx: true },
        )
        expect(marked.status).toBe(204)
      } else {
        const token = await new ApiClient().token(scene.recipient.user.username, PASSWORD)
        expect((await scene.api.api('GET', `/api/messages/${scene.sender.user.username}`, { token })).status).toBe(200)
      }
      results[door] = await effects(scene, (m) => m.includes('unread-badge'), from)
    }
    expect(results.site).toMatchObject({ badge: 0, threadUnread: 0 })
    expect((results.site as { notice: string }).notice).toContain('data-count="0"')
    expect(results.api).toEqual(results.site)
    scenes.site.live.ws.close()
    scenes.api.live.ws.close()
  })
})

describe('deleting a message: POST /message/:id/delete and DELETE /api/messages/:username/:id', () => {
  it("leave the same corrected badge and removal notice; both refuse someone else's message", async () => {
    const scenes = { site: await pair(), api: await pair() }
    const results: Record<string, unknown> = {}
    for (const [door, scene] of Object.entries(scenes)) {
      const { message } = await sendMessage(db, scene.sender.user.id, scene.recipient.user.id, 'regret this')
      const recipientToken = await new ApiClient().token(scene.recipient.user.username, PASSWORD)
      if (door === 'site') {
        // The site answers someone else's message as one that does not exist (ids say nothing).
        expect((await scene.recipient.client.post(`/message/${message.id}/delete`)).status).toBe(404)
        expect((await scene.sender.client.post(`/message/${message.id}/delete`)).status).toBe(303)
      } else {
        const thread = `/api/messages/${scene.sender.user.username}/${message.id}`
        expect((await scene.api.api('DELETE', thread, { token: recipientToken })).status).toBe(403)
        const mine = `/api/messages/${scene.recipient.user.username}/${message.id}`
        expect((await scene.api.api('DELETE', mine, { token: scene.token })).status).toBe(204)
      }
      results[door] = await effects(scene, (m) => m.includes('data-hx-swap-oob="delete"'), 0)
    }
    expect(results.site).toMatchObject({ badge: 0, threadUnread: 0 })
    expect(results.api).toEqual(results.site)
    scenes.site.live.ws.close()
    scenes.api.live.ws.close()
  })
})
