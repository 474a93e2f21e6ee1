import { describe, expect, it } from 'vitest'
import { deleteSentMessage, markThreadRead, sendMessageTo } from '../../src/features/messages/actions'
import { sendMessage } from '../../src/features/messages/actions'
import { getConversationSide, getMessageById } from '../../src/features/messages/queries'
import { MESSAGE_RATE_LIMITS } from '../../src/features/messages/schemas'
import { getUserById } from '../../src/features/users/queries'
import { hitRateLimit } from '../../src/middleware/rate-limit'
import { db, loggedIn, makeUser } from '../helpers'
import { openLive } from '../live-socket'
import { testRuntime } from '../runtime'

const badge = async (id: number) => (await getUserById(db, id))!.unreadMessageCount

describe('sendMessageTo', () => {
  it("stores the message, raises the recipient's unread counts and pushes it to their open pages", async () => {
    const alice = await makeUser()
    const bob = await loggedIn()
    const live = await openLive(bob.client)
    const { runtime, settle, errors } = testRuntime()

    const sent = await sendMessageTo(db, runtime, alice, bob.user, 'hello bob')

    expect(sent).toMatchObject({
      ok: true,
      message: { body: 'hello bob', senderId: alice.id, recipientId: bob.user.id },
    })
    const id = sent.ok ? sent.message.id : 0
    expect(await getMessageById(db, id)).toMatchObject({ body: 'hello bob' })
    expect(await badge(bob.user.id)).toBe(1)
    expect((await getConversationSide(db, bob.user.id, alice.id))!.unread).toBe(1)
    await settle()
    expect(errors).toEqual([])
    const html = await live.next((m) => m.includes('hello bob'))
    expect(html).toContain('data-count="1"')
    expect(html).toContain(`beforeend:#thread-${alice.id}`)
    live.ws.close()
  })

  it('refuses yourself, and a sender over the burst limit, writing nothing', async () => {
    const alice = await makeUser()
    const bob = await makeUser()
    const { runtime } = testRuntime()

    expect(await sendMessageTo(db, runtime, alice, alice, 'me')).toEqual({ ok: false, error: 'yourself' })
    const burst = MESSAGE_RATE_LIMITS.perMinute
    for (let i = 0; i < burst.limit; i++) await hitRateLimit(db, `messages:perMinute:${alice.id}`, burst)
    const limited = await sendMessageTo(db, runtime, alice, bob, 'one too many')
    expect(limited).toMatchObject({ ok: false, error: 'rate-limited' })
    expect(!limited.ok && limited.error === 'rate-limited' && limited.retryAfter).toBeGreaterThan(0)
    expect(await badge(bob.id)).toBe(0)
    expect(await getConversationSide(db, alice.id, bob.id)).toBeNull()
  })
})

describe('markThreadRead', () => {
  it("zeroes that thread's unread count, lowers the badge by it and tells the reader's other tabs", async () => {
    const bob = await makeUser()
    const carol = await makeUser()
    const alice = await loggedIn()
    for (const body of ['one', 'two']) await sendMessage(db, bob.id, alice.user.id, body)
    await sendMessage(db, carol.id, alice.user.id, 'from carol')
    const live = await openLive(alice.client)
    const { runtime, settle } = testRuntime()

    const marked = await markThreadRead(db, runtime, alice.user, bob.username.toUpperCase())

    expect(marked).toMatchObject({ ok: true, other: { id: bob.id }, unread: 1 })
    expect((await getConversationSide(db, alice.user.id, bob.id))!.unread).toBe(0)
    expect((await getConversationSide(db, alice.user.id, carol.id))!.unread).toBe(1)
    expect(await badge(alice.user.id)).toBe(1)
    await settle()
    expect(await live.next((m) => m.includes('unread-badge'))).toContain('data-count="1"')
    // Nothing left unread: nothing written, nobody told.
    expect(await markThreadRead(db, runtime, alice.user, bob.username)).toMatchObject({ ok: true, unread: null })
    live.ws.close()
  })

  it('refuses an unknown member and yourself', async () => {
    const alice = await makeUser()
    const { runtime } = testRuntime()
    expect(await markThreadRead(db, runtime, alice, 'nobody_at_all')).toEqual({ ok: false, error: 'not-found' })
    expect(await markThreadRead(db, runtime, alice, alice.username)).toEqual({ ok: false, error: 'yourself' })
  })
})

describe('deleteSentMessage', () => {
  it("deletes it for both members, corrects the recipient's badge and removes it from their open pages", async () => {
    const alice = await makeUser()
    const bob = await loggedIn()
    const { message } = await sendMessage(db, alice.id, bob.user.id, 'regret this')
    const live = await openLive(bob.client)
    const { runtime, settle } = testRuntime()

    expect(await deleteSentMessage(db, runtime, alice, message.id)).toEqual({ ok: true, message })

    expect(await getMessageById(db, message.id)).toBeNull()
    expect(await badge(bob.user.id)).toBe(0)
    await settle()
    const html = await live.next((m) => m.includes(`message-${message.id}`))
    expect(html).toContain('data-hx-swap-oob="delete"')
    live.ws.close()
  })

  it("refuses someone else's message, an unknown one and one from another thread, deleting nothing", async () => {
    const alice = await makeUser()
    const bob = await makeUser()
    const carol = await makeUser()
    const { message } = await sendMessage(db, alice.id, bob.id, 'keep me')
    const { runtime } = testRuntime()

    expect(await deleteSentMessage(db, runtime, bob, message.id)).toEqual({ ok: false, error: 'not-yours' })
    expect(await deleteSentMessage(db, runtime, alice, message.id + 1_000_000)).toEqual({
      ok: false,
      error: 'not-found',
    })
    expect(await deleteSentMessage(db, runtime, alice, message.id, { inThreadWith: carol.id })).toEqual({
      ok: false,
      error: 'not-found',
    })
    expect(await getMessageById(db, message.id)).not.toBeNull()
    expect(await badge(bob.id)).toBe(1)
  })
})
