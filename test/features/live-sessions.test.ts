import {
  createExecutionContext,
  runDurableObjectAlarm,
  runInDurableObject,
  waitOnExecutionContext,
} from 'cloudflare:test'
import { eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { createApp } from '../../src/app'
import { sessions } from '../../src/db/schema'
import { createResetToken } from '../../src/features/auth/reset/queries'
import { LIVE_SOCKET_MAX_MS, LIVE_SOCKETS_PER_MEMBER, type SocketTag } from '../../src/features/live/hub'
import { closeLiveSessions } from '../../src/features/live/notify'
import { Client, db, env, loggedIn, makeUser, ORIGIN, PASSWORD } from '../helpers'
import { liveUpgrade, openLive } from '../live-socket'

type Live = Awaited<ReturnType<typeof openLive>>

/** A second browser holding a copy of `client`'s cookies (a stolen session cookie). */
function copyOf(client: Client): Client {
  const copy = new Client()
  copy.cookies = new Map(client.cookies)
  return copy
}

/** The session id inside a client's session cookie. */
function sessionIdOf(client: Client): string {
  return client.cookies.get('session')!.split('.')[0]!
}

function hubOf(userId: number) {
  return env.MEMBER_HUB!.getByName(String(userId))
}

/** The tags of the member's open sockets, as the hub keeps them. */
function tagsOf(userId: number): Promise<SocketTag[]> {
  return runInDurableObject(hubOf(userId), (_hub, state) =>
    state.getWebSockets().map((ws) => ws.deserializeAttachment() as SocketTag),
  )
}

/**
 * `alice` sends `bob` a message; resolves once `control` (a socket of bob's that must stay
 * open) has it, so every other socket of bob's had its chance to get it too.
 */
async function sendAndWait(alice: Client, bobName: string, control: Live, body: string) {
  const from = control.received.length
  expect((await alice.post(`/messages/${bobName}`, { body })).status).toBe(303)
  await control.next((m) => m.includes(body), from)
}

describe('live sockets end with their session', () => {
  it('closes the socket of a session that logs out (a stolen cookie included) and pushes it nothing more', async () => {
    const alice = await loggedIn()
    const bob = await loggedIn()
    // Bob's phone: another session, which stays logged in.
    const phone = new Client()
    await phone.login(bob.user.username)
    const thief = await openLive(copyOf(bob.client))
    const own = await openLive(bob.client)
    const phoneLive = await openLive(phone)

    expect((await bob.client.post('/auth/logout')).status).toBe(303)
    expect(await thief.closedWithin()).toMatchObject({ code: 1008 })
    expect(await own.closedWithin()).toMatchObject({ code: 1008 })

    await sendAndWait(alice.client, bob.user.username, phoneLive, 'sent after the logout')
    expect(thief.received.join('')).not.toContain('sent after the logout')
    expect(own.received.join('')).not.toContain('sent after the logout')
    expect(phoneLive.isClosed()).toBe(false)
    phoneLive.ws.close()
  })

  it('closes every socket of the member when a reset link sets a new password', async () => {
    const alice = await loggedIn()
    const bob = await loggedIn()
    const other = new Client()
    await other.login(bob.user.username)
    const sockets = [await openLive(bob.client), await openLive(copyOf(other))]
    const token = await createResetToken(db, bob.user.id)
    const reset = await new Client().post(`/auth/reset-password/${token}`, {
      password: 'a brand new passphrase 42',
      password2: 'a brand new passphrase 42',
    })
    expect(reset.status).toBe(303)
    for (const live of sockets) expect(await live.closedWithin()).toMatchObject({ code: 1008 })

    // Bob logs in again with the new password; the old sockets still get nothing.
    const fresh = new Client()
    await fresh.login(bob.user.username, 'a brand new passphrase 42')
    const control = await openLive(fresh)
    await sendAndWait(alice.client, bob.user.username, control, 'after the reset')
    for (const live of sockets) expect(live.received.join('')).not.toContain('after the reset')
    control.ws.close()
  })

  it('closes every socket of an account that is deleted', async () => {
    const bob = await loggedIn()
    const other = new Client()
    await other.login(bob.user.username)
    const sockets = [await openLive(bob.client), await openLive(other)]
    const deleted = await bob.client.post('/settings/delete-account', {
      password: PASSWORD,
      confirm: bob.user.username,
    })
    expect(deleted.status).toBe(303)
    for (const live of sockets) expect(await live.closedWithin()).toMatchObject({ code: 1008 })
    expect(await hubOf(bob.user.id).socketCount()).toBe(0)
  })

  it('closes the sockets of the session a new login replaces in the same browser', async () => {
    const bob = await loggedIn()
    const before = await openLive(bob.client)
    const thief = await openLive(copyOf(bob.client))
    await bob.client.login(bob.user.username)
    expect(await before.closedWithin()).toMatchObject({ code: 1008 })
    expect(await thief.closedWithin()).toMatchObject({ code: 1008 })
  })

  it('closeLiveSessions closes only the sessions it names, or all of them', async () => {
    const bob = await loggedIn()
    const phone = new Client()
    await phone.login(bob.user.username)
    const laptop = await openLive(bob.client)
    const phoneLive = await openLive(phone)
    expect(await closeLiveSessions(env, bob.user.id, [sessionIdOf(bob.client)])).toBe(true)
    expect(await laptop.closedWithin()).toMatchObject({ code: 1008 })
    expect(phoneLive.isClosed()).toBe(false)
    expect(await closeLiveSessions(env, bob.user.id, 'all')).toBe(true)
    expect(await phoneLive.closedWithin()).toMatchObject({ code: 1008 })
    // Nothing to close is not an error.
    expect(await closeLiveSessions(env, bob.user.id, 'all')).toBe(true)
    expect(await closeLiveSessions(env, bob.user.id, [])).toBe(true)
  })

  it('never lets a socket outlive a logout that races its upgrade', async () => {
    for (let round = 0; round < 5; round++) {
      const bob = await loggedIn()
      const thief = copyOf(bob.client)
      const [upgrade, logout] = await Promise.all([liveUpgrade(thief), bob.client.post('/auth/logout')])
      expect(logout.status).toBe(303)
      if (upgrade.status === 101) {
        const ws = upgrade.webSocket!
        const closed = new Promise<number>((resolve) => ws.addEventListener('close', (e) => resolve(e.code)))
        ws.accept()
        expect(await closed).toBe(1008)
      } else {
        expect(upgrade.status).toBe(401)
      }
      expect(await hubOf(bob.user.id).socketCount()).toBe(0)
    }
  })

  it('closes the socket when the logout lands between the upgrade’s session check and the hub’s accept', async () => {
    const bob = await loggedIn()
    const thief = copyOf(bob.client)
    // The hub's accept is held back until the logout (row deleted, sockets closed) is done:
    // the one interleaving a check before the accept cannot see.
    const hubs = {
      getByName(name: string) {
        const real = env.MEMBER_HUB!.getByName(name)
        return {
          fetch: async (request: Request) => {
            expect((await bob.client.post('/auth/logout')).status).toBe(303)
            return real.fetch(request)
          },
          closeSessions: (ids: string[] | 'all') => real.closeSessions(ids),
        }
      },
    }
    const ctx = createExecutionContext()
    const upgrade = await createApp().fetch(
      new Request(`${ORIGIN}/live`, {
        headers: {
          Upgrade: 'websocket',
          Origin: ORIGIN,
          'CF-Connecting-IP': thief.ip,
          Cookie: `session=${thief.cookies.get('session')}`,
        },
      }),
      { ...env, MEMBER_HUB: hubs } as unknown as Cloudflare.Env,
      ctx,
    )
    await waitOnExecutionContext(ctx)
    expect(upgrade.status).toBe(101)
    const ws = upgrade.webSocket!
    const closed = new Promise<number>((resolve) => ws.addEventListener('close', (e) => resolve(e.code)))
    ws.accept()
    const stillOpen = new Promise<string>((resolve) => setTimeout(() => resolve('still open'), 2000))
    expect(await Promise.race([closed, stillOpen])).toBe(1008)
    expect(await hubOf(bob.user.id).socketCount()).toBe(0)
  })
})

describe('a live socket has a lifetime', () => {
  it("ends at its session's expiry, and after at most 24 hours", async () => {
    const browser = await loggedIn()
    const live = await openLive(browser.client)
    const [tag] = await tagsOf(browser.user.id)
    const row = await db
      .select()
      .from(sessions)
      .where(eq(sessions.id, sessionIdOf(browser.client)))
      .get()
    expect(tag!.sessionId).toBe(row!.id)
    expect(tag!.endsAt).toBe(row!.expiresAt)
    live.ws.close()

    // "Remember me": a 30-day session, but the socket still ends within a day.
    const user = await makeUser()
    const remembered = new Client()
    await remembered.login(user.username, PASSWORD, { remember: '1' })
    const before = Date.now()
    const long = await openLive(remembered)
    const [longTag] = await tagsOf(user.id)
    expect(longTag!.endsAt).toBeGreaterThanOrEqual(before + LIVE_SOCKET_MAX_MS)
    expect(longTag!.endsAt).toBeLessThanOrEqual(Date.now() + LIVE_SOCKET_MAX_MS)
    // The hub wakes up when the first socket ends.
    expect(await runInDurableObject(hubOf(user.id), (_hub, state) => state.storage.getAlarm())).toBe(longTag!.endsAt)
    long.ws.close()
  })

  it('closes a socket whose time is up (the page reconnects through a fresh upgrade) and pushes it nothing', async () => {
    const alice = await loggedIn()
    const bob = await loggedIn()
    const phone = new Client()
    await phone.login(bob.user.username)
    const old = await openLive(bob.client)
    const control = await openLive(phone)
    const oldSession = sessionIdOf(bob.client)
    // Time passes for the first socket only (its session expired, or its day is over).
    await runInDurableObject(hubOf(bob.user.id), (_hub, state) => {
      for (const ws of state.getWebSockets()) {
        const tag = ws.deserializeAttachment() as SocketTag
        if (tag.sessionId === oldSession) ws.serializeAttachment({ ...tag, endsAt: Date.now() - 1 })
      }
    })
    // A push before the alarm has run: the expired socket gets nothing and is closed.
    await sendAndWait(alice.client, bob.user.username, control, 'after its time')
    expect(old.received.join('')).not.toContain('after its time')
    // 1012: the browser's live channel reconnects on it (a new upgrade checks the session again).
    expect(await old.closedWithin()).toMatchObject({ code: 1012 })
    expect(control.isClosed()).toBe(false)
    control.ws.close()
  })

  it('closes expired sockets at the alarm, with no push needed', async () => {
    const bob = await loggedIn()
    const live = await openLive(bob.client)
    await runInDurableObject(hubOf(bob.user.id), (_hub, state) => {
      for (const ws of state.getWebSockets()) {
        ws.serializeAttachment({ ...(ws.deserializeAttachment() as SocketTag), endsAt: Date.now() - 1 })
      }
    })
    expect(await runDurableObjectAlarm(hubOf(bob.user.id))).toBe(true)
    expect(await live.closedWithin()).toMatchObject({ code: 1012 })
  })
})

describe('live upgrade limits', () => {
  it(`keeps at most ${LIVE_SOCKETS_PER_MEMBER} sockets per member`, async () => {
    const bob = await loggedIn()
    const sockets: Live[] = []
    for (let i = 0; i < LIVE_SOCKETS_PER_MEMBER; i++) sockets.push(await openLive(bob.client))
    const refused = await liveUpgrade(bob.client)
    expect(refused.status).toBe(429)
    expect(refused.webSocket).toBeNull()
    expect(refused.headers.get('Retry-After')).toMatch(/^\d+$/)
    // A closed tab frees its place.
    sockets.pop()!.ws.close()
    await new Promise((resolve) => setTimeout(resolve, 100))
    const again = await openLive(bob.client)
    for (const live of [...sockets, again]) live.ws.close()
  })

  it('limits upgrades per address bucket: a whole IPv6 /64 counts as one', async () => {
    const bob = await loggedIn()
    const prefix = `2001:db8:${Math.floor(Math.random() * 0xffff).toString(16)}:7`
    let refused: Response | null = null
    // Every request comes from another address in the same /64, without a session even:
    // the count is of upgrades tried, not of sockets opened.
    for (let i = 1; i <= 200 && !refused; i++) {
      const response = await liveUpgrade(bob.client, { 'CF-Connecting-IP': `${prefix}::${i.toString(16)}`, Cookie: '' })
      if (response.status === 429) refused = response
      else expect(response.status).toBe(401)
    }
    expect(refused).not.toBeNull()
    expect(refused!.headers.get('Retry-After')).toMatch(/^\d+$/)
    // Another bucket is not affected.
    const elsewhere = new Client(`2001:db8:ffff:${Math.floor(Math.random() * 0xffff).toString(16)}::1`)
    elsewhere.cookies = new Map(bob.client.cookies)
    const live = await openLive(elsewhere)
    live.ws.close()
  })
})
