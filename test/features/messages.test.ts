import { describe, expect, it } from 'vitest'
import { createDb, newD1Stats } from '../../src/db/client'
import { markConversationRead, sendMessage } from '../../src/features/messages/actions'
import { getConversationSide } from '../../src/features/messages/queries'
import { getUserById } from '../../src/features/users/queries'
import { Client, db, env, loggedIn, makeUser } from '../helpers'

/** The message bodies of a thread page, top to bottom. */
function threadBodies(html: string): string[] {
  const list = /<ol id="thread-\d+"[^>]*>([\s\S]*?)<\/ol>/.exec(html)?.[1] ?? ''
  return [...list.matchAll(/<p class="post-body"[^>]*>([\s\S]*?)<\/p>/g)].map((m) => m[1]!)
}

/** The usernames of the inbox rows, top to bottom. */
function inboxNames(html: string): string[] {
  return [...html.matchAll(/<li class="conversation[^"]*">[\s\S]*?<a class="author" href="\/messages\/([^"]+)"/g)].map(
    (m) => m[1]!,
  )
}

/** What a browser sends with a click on one of our own links. */
const SAME_ORIGIN = { 'Sec-Fetch-Site': 'same-origin' }

const badge = async (userId: number) => (await getUserById(db, userId))!.unreadMessageCount

describe('POST /messages/:username', () => {
  it('sends with PRG and a flash without JavaScript, and counts it unread for the recipient', async () => {
    const { user: alice, client } = await loggedIn()
    const bob = await makeUser()
    const response = await client.post(`/messages/${bob.username}`, { body: '  Hello Bob  ' })
    expect(response.status).toBe(303)
    expect(response.headers.get('location')).toBe(`/messages/${bob.username}`)
    const page = await (await client.get(`/messages/${bob.username}`)).text()
    expect(page).toContain('Your message has been sent.')
    expect(threadBodies(page)).toEqual(['Hello Bob'])
    expect(await badge(bob.id)).toBe(1)
    expect(await badge(alice.id)).toBe(0)
    const bobSide = await getConversationSide(db, bob.id, alice.id)
    const aliceSide = await getConversationSide(db, alice.id, bob.id)
    expect(bobSide!.unread).toBe(1)
    expect(aliceSide!.unread).toBe(0)
  })

  it('under htmx answers a clean form and the message appended to the thread', async () => {
    const { client } = await loggedIn()
    const bob = await makeUser()
    const response = await client.post(`/messages/${bob.username}`, { body: 'hi <b>there</b>' }, { htmx: true })
    expect(response.status).toBe(200)
    const html = await response.text()
    expect(html).not.toContain('<html')
    expect(html).toMatch(/<form id="message-form"[\s\S]*<textarea[^>]*><\/textarea>/)
    expect(html).toContain(`data-hx-swap-oob="beforeend:#thread-${bob.id}"`)
    expect(html).toContain('hi &lt;b&gt;there&lt;/b&gt;')
  })

  it('refuses empty and too long messages with 422, keeping the typed text', async () => {
    const { client } = await loggedIn()
    const bob = await makeUser()
    const empty = await client.post(`/messages/${bob.username}`, { body: '   ' })
    expect(empty.status).toBe(422)
    expect(await empty.text()).toContain('Please write a message.')
    const long = 'x'.repeat(141)
    const tooLong = await client.post(`/messages/${bob.username}`, { body: long }, { htmx: true })
    expect(tooLong.status).toBe(422)
    const html = await tooLong.text()
    expect(html).toContain('A message can be at most 140 characters.')
    expect(html).toContain(`>${long}</textarea>`)
    expect(await getConversationSide(db, bob.id, (await makeUser()).id)).toBeNull()
  })

  it('normalises like posts: controls stripped, bidi overrides and invisible-only text refused', async () => {
    const { client } = await loggedIn()
    const bob = await makeUser()
    const bidi = await client.post(`/messages/${bob.username}`, { body: 'pay \u202Egnp.exe' })
    expect(bidi.status).toBe(422)
    const invisible = await client.post(`/messages/${bob.username}`, { body: '\u200B\u200B \u2060' })
    expect(invisible.status).toBe(422)
    expect(await invisible.text()).toContain('Please write a message.')
    expect((await client.post(`/messages/${bob.username}`, { body: 'ok\u0000 then\u0007' })).status).toBe(303)
    const page = await (await client.get(`/messages/${bob.username}`)).text()
    expect(threadBodies(page)).toEqual(['ok then'])
  })

  it('refuses messaging yourself with a clear 422', async () => {
    const { user, client } = await loggedIn()
    const post = await client.post(`/messages/${user.username}`, { body: 'me' })
    expect(post.status).toBe(422)
    expect(await post.text()).toContain('You cannot send messages to yourself.')
    const get = await client.get(`/messages/${user.username}`)
    expect(get.status).toBe(422)
  })

  it('answers 404 for an unknown member', async () => {
    const { client } = await loggedIn()
    expect((await client.post('/messages/nobody_here_at_all', { body: 'hi' })).status).toBe(404)
    expect((await client.get('/messages/nobody_here_at_all')).status).toBe(404)
  })

  it('sends anonymous visitors to the login page with next', async () => {
    const bob = await makeUser()
    const anon = new Client()
    const inbox = await anon.get('/messages')
    expect(inbox.status).toBe(303)
    expect(inbox.headers.get('location')).toBe('/auth/login?next=%2Fmessages')
    const thread = await anon.get(`/messages/${bob.username}`)
    expect(thread.headers.get('location')).toBe(`/auth/login?next=${encodeURIComponent(`/messages/${bob.username}`)}`)
    expect((await anon.post(`/messages/${bob.username}`, { body: 'hi' })).status).toBe(303)
    expect(await badge(bob.id)).toBe(0)
  })

  it('refuses a cross-site POST', async () => {
    const { client } = await loggedIn()
    const bob = await makeUser()
    const response = await client.post(`/messages/${bob.username}`, { body: 'hi' }, { origin: 'https://evil.example' })
    expect(response.status).toBe(403)
    expect(await badge(bob.id)).toBe(0)
  })

  it('rate-limits a sender: the 21st message in a minute gets 429 and Retry-After', async () => {
    const { client } = await loggedIn()
    const bob = await makeUser()
    const results = []
    for (let i = 1; i <= 21; i++)
      results.push((await client.post(`/messages/${bob.username}`, { body: `m${i}` })).status)
    expect(results.slice(0, 20).every((s) => s === 303)).toBe(true)
    const limited = await client.post(`/messages/${bob.username}`, { body: 'one more' })
    expect(limited.status).toBe(429)
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0)
    const html = await limited.text()
    expect(html).toContain('You are sending messages too fast.')
    expect(html).toContain('>one more</textarea>')
    expect(await badge(bob.id)).toBe(20)
    // Under htmx the reason goes to the message area; the form (and its text) stays.
    const htmx = await client.post(`/messages/${bob.username}`, { body: 'still me' }, { htmx: true })
    expect(htmx.status).toBe(429)
    const fragment = await htmx.text()
    expect(fragment).toContain('class="flash flash-error"')
    expect(fragment).not.toContain('<form')
  })

  it('refuses a message from a page rendered for another member (session changed in another tab)', async () => {
    const { client } = await loggedIn()
    const bob = await makeUser()
    const page = await (await client.get(`/messages/${bob.username}`)).text()
    expect(page).toMatch(/<form id="message-form"[\s\S]*?name="as_user"/)
    const response = await client.post(`/messages/${bob.username}`, { body: 'hi', as_user: String(bob.id) })
    expect(response.status).toBe(409)
    expect(await badge(bob.id)).toBe(0)
  })

  it('keeps counts right when two members write to each other at once', async () => {
    const a = await loggedIn()
    const b = await loggedIn()
    await Promise.all([
      ...Array.from({ length: 5 }, (_, i) => a.client.post(`/messages/${b.user.username}`, { body: `a${i}` })),
      ...Array.from({ length: 4 }, (_, i) => b.client.post(`/messages/${a.user.username}`, { body: `b${i}` })),
    ])
    expect(await badge(b.user.id)).toBe(5)
    expect(await badge(a.user.id)).toBe(4)
    expect((await getConversationSide(db, b.user.id, a.user.id))!.unread).toBe(5)
    const rows = await env.DB.prepare('SELECT count(*) AS n FROM conversations WHERE user_a_id IN (?, ?)')
      .bind(a.user.id, b.user.id)
      .first<{ n: number }>()
    expect(rows!.n).toBe(1)
  })
})

describe('GET /messages/:username', () => {
  it('shows the thread oldest first and loads older pages above', async () => {
    const { user: alice, client } = await loggedIn()
    const bob = await makeUser()
    const base = Date.now() - 100_000
    for (let i = 0; i < 30; i++) {
      const [from, to] = i % 2 === 0 ? [alice.id, bob.id] : [bob.id, alice.id]
      await sendMessage(db, from, to, `msg ${i}`, base + i)
    }
    const page = await (await client.get(`/messages/${bob.username}`)).text()
    const bodies = threadBodies(page)
    expect(bodies).toEqual(Array.from({ length: 25 }, (_, i) => `msg ${i + 5}`))
    const older = /<li class="older" data-hx-get="([^"]+)"/.exec(page)![1]!.replaceAll('&amp;', '&')
    expect(older).toMatch(new RegExp(`^/messages/${bob.username}\\?before=`))
    // The loader comes before the first message: older ones load when scrolling up.
    expect(page.indexOf('class="older"')).toBeLessThan(page.indexOf('msg 5<'))
    const fragment = await (await client.get(older, { htmx: true })).text()
    expect(fragment).not.toContain('<html')
    expect([...fragment.matchAll(/<p class="post-body"[^>]*>([^<]*)<\/p>/g)].map((m) => m[1])).toEqual([
      'msg 0',
      'msg 1',
      'msg 2',
      'msg 3',
      'msg 4',
    ])
    expect(fragment).not.toContain('class="older"')
  })

  it('marks the thread read in one write and lowers the badge by that amount', async () => {
    const { user: alice, client } = await loggedIn()
    const bob = await makeUser()
    const carol = await makeUser()
    for (let i = 0; i < 3; i++) await sendMessage(db, bob.id, alice.id, `from bob ${i}`)
    await sendMessage(db, carol.id, alice.id, 'from carol')
    expect(await badge(alice.id)).toBe(4)

    // Opened from our own pages (a browser says so; another site's link does not mark it).
    const page = await (await client.get(`/messages/${bob.username}`, { headers: SAME_ORIGIN })).text()
    // The badge on this very page already shows the thread as read.
    expect(page).toMatch(/id="unread-badge"[^>]*data-count="1"/)
    expect(await badge(alice.id)).toBe(1)
    const side = await getConversationSide(db, alice.id, bob.id)
    expect(side!.unread).toBe(0)
    expect(side!.lastReadAt).toBeGreaterThan(0)
    // Bob's side is untouched.
    expect((await getConversationSide(db, bob.id, alice.id))!.unread).toBe(0)
    expect((await getConversationSide(db, alice.id, carol.id))!.unread).toBe(1)
  })

  it('marks read with the same writes whether 1 or 12 messages were unread (no write per message)', async () => {
    const reader = await makeUser()
    const one = await makeUser()
    const many = await makeUser()
    await sendMessage(db, one.id, reader.id, 'just one')
    for (let i = 0; i < 12; i++) await sendMessage(db, many.id, reader.id, `n${i}`)
    const written = async (otherId: number) => {
      const stats = newD1Stats()
      const side = await getConversationSide(db, reader.id, otherId)
      expect(side!.unread).toBeGreaterThan(0)
      await markConversationRead(createDb(env.DB, stats), reader.id, side!)
      return stats
    }
    const a = await written(one.id)
    const b = await written(many.id)
    expect(b.queries).toBe(a.queries)
    expect(b.rowsWritten).toBe(a.rowsWritten)
    expect(await badge(reader.id)).toBe(0)
  })
})

describe('POST /messages/:username/read', () => {
  it('marks only that thread read and lowers the badge by its count; unknown 404, yourself 422', async () => {
    const { user: alice, client } = await loggedIn()
    const bob = await makeUser()
    const carol = await makeUser()
    for (let i = 0; i < 2; i++) await sendMessage(db, bob.id, alice.id, `from bob ${i}`)
    await sendMessage(db, carol.id, alice.id, 'from carol')
    await sendMessage(db, alice.id, bob.id, 'to bob')
    expect(await badge(alice.id)).toBe(3)

    const marked = await client.post(`/messages/${bob.username}/read`, {}, { htmx: true })
    expect(marked.status).toBe(204)
    expect(await badge(alice.id)).toBe(1)
    expect((await getConversationSide(db, alice.id, bob.id))!.unread).toBe(0)
    // Bob's side (one unread from alice) and the thread with carol are untouched.
    expect((await getConversationSide(db, bob.id, alice.id))!.unread).toBe(1)
    expect((await getConversationSide(db, alice.id, carol.id))!.unread).toBe(1)
    // Nothing left unread: nothing changes.
    expect((await client.post(`/messages/${bob.username}/read`, {}, { htmx: true })).status).toBe(204)
    expect(await badge(alice.id)).toBe(1)

    // Without JavaScript: back to the thread.
    const plain = await client.post(`/messages/${carol.username}/read`, {})
    expect(plain.status).toBe(303)
    expect(plain.headers.get('Location')).toBe(`/messages/${carol.username}`)
    expect(await badge(alice.id)).toBe(0)

    expect((await client.post('/messages/nobody_by_that_name/read', {}, { htmx: true })).status).toBe(404)
    expect((await client.post(`/messages/${alice.username}/read`, {}, { htmx: true })).status).toBe(422)
  })
})

describe('GET /messages', () => {
  it('lists conversations newest activity first with unread counts and the last message', async () => {
    const { user: alice, client } = await loggedIn()
    const bob = await makeUser()
    const carol = await makeUser()
    const dave = await makeUser()
    const t0 = Date.now() - 10_000
    await sendMessage(db, alice.id, bob.id, 'to bob', t0)
    await sendMessage(db, carol.id, alice.id, 'carol one', t0 + 1)
    await sendMessage(db, carol.id, alice.id, 'carol two', t0 + 2)
    await sendMessage(db, dave.id, alice.id, 'dave', t0 + 3)
    await sendMessage(db, alice.id, bob.id, 'bob again', t0 + 4)

    const html = await (await client.get('/messages')).text()
    expect(inboxNames(html)).toEqual([bob.username, dave.username, carol.username])
    expect(html).toContain('You: bob again')
    expect(html).toContain('carol two')
    expect(html).toContain('2 unread')
    expect(html).toMatch(/id="unread-badge"[^>]*data-count="3"/)
  })

  it('paginates with a keyset cursor, 25 a page, across both sides of the pairs', async () => {
    const { user: me, client } = await loggedIn()
    const base = Date.now() - 1_000_000
    const others = []
    for (let i = 0; i < 27; i++) others.push(await makeUser())
    // Half of the pairs have "me" as side a, half as side b (ids decide the side).
    for (let i = 0; i < 27; i++) {
      const [from, to] = i % 2 === 0 ? [me.id, others[i]!.id] : [others[i]!.id, me.id]
      await sendMessage(db, from, to, `c${i}`, base + i)
    }
    const html = await (await client.get('/messages')).text()
    const first = inboxNames(html)
    expect(first).toHaveLength(25)
    expect(first[0]).toBe(others[26]!.username)
    const next = /href="(\/messages\?before=[^"]+)"/.exec(html)![1]!.replaceAll('&amp;', '&')
    const rest = inboxNames(await (await client.get(next, { htmx: true })).text())
    expect(rest).toEqual([others[1]!.username, others[0]!.username])
    expect((await client.get('/messages?before=bogus')).status).toBe(400)
  })
})

describe('POST /message/:id/delete', () => {
  it('deletes your message for both members and corrects the unread counts', async () => {
    const { user: alice, client } = await loggedIn()
    const bob = await loggedIn()
    const { message } = await sendMessage(db, alice.id, bob.user.id, 'oops')
    await sendMessage(db, alice.id, bob.user.id, 'keep')
    expect(await badge(bob.user.id)).toBe(2)

    const response = await client.post(`/message/${message.id}/delete`)
    expect(response.status).toBe(303)
    expect(await badge(bob.user.id)).toBe(1)
    expect((await getConversationSide(db, bob.user.id, alice.id))!.unread).toBe(1)
    const bobsView = await (await bob.client.get(`/messages/${alice.username}`)).text()
    expect(threadBodies(bobsView)).toEqual(['keep'])
    const alicesView = await (await client.get(`/messages/${bob.user.username}`)).text()
    expect(threadBodies(alicesView)).toEqual(['keep'])
  })

  it('does not touch the unread count when the recipient had read it', async () => {
    const { user: alice, client } = await loggedIn()
    const bob = await loggedIn()
    const { message } = await sendMessage(db, alice.id, bob.user.id, 'read me', Date.now() - 5000)
    await bob.client.get(`/messages/${alice.username}`, { headers: SAME_ORIGIN })
    await sendMessage(db, alice.id, bob.user.id, 'unread')
    expect(await badge(bob.user.id)).toBe(1)
    expect((await client.post(`/message/${message.id}/delete`, {}, { htmx: true })).status).toBe(200)
    expect(await badge(bob.user.id)).toBe(1)
    const inbox = await (await bob.client.get('/messages')).text()
    expect(inbox).toContain('unread')
  })

  it("answers someone else's message exactly as one that does not exist: 404", async () => {
    const { user: alice } = await loggedIn()
    const bob = await loggedIn()
    const carol = await loggedIn()
    const { message } = await sendMessage(db, alice.id, bob.user.id, 'mine')
    // The recipient, and a member outside the conversation probing ids: nothing tells them
    // the message exists.
    for (const client of [bob.client, carol.client]) {
      const missing = await client.post('/message/999999999/delete')
      expect(missing.status).toBe(404)
      const notYours = await client.post(`/message/${message.id}/delete`)
      expect(notYours.status).toBe(404)
      expect(await notYours.text()).toBe(await missing.text())
      const htmx = await client.post(`/message/${message.id}/delete`, {}, { htmx: true })
      expect(htmx.status).toBe(404)
      expect(await htmx.text()).toBe(await (await client.post('/message/999999999/delete', {}, { htmx: true })).text())
    }
    expect((await bob.client.post('/message/abc/delete')).status).toBe(404)
    expect(threadBodies(await (await bob.client.get(`/messages/${alice.username}`)).text())).toEqual(['mine'])
  })
})

describe('the Message button', () => {
  it("is on every other member's profile, not on your own or for visitors", async () => {
    const { user: me, client } = await loggedIn()
    const other = await makeUser()
    expect(await (await client.get(`/user/${other.username}`)).text()).toContain(`href="/messages/${other.username}"`)
    expect(await (await client.get(`/user/${me.username}`)).text()).not.toContain(`href="/messages/${me.username}"`)
    expect(await (await new Client().get(`/user/${other.username}`)).text()).not.toContain('href="/messages/')
  })
})
