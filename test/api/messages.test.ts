import { describe, expect, it } from 'vitest'
import { getUserById } from '../../src/features/users/queries'
import { db, makeUser, PASSWORD } from '../helpers'
import { ApiClient } from './contract'

type MessageJson = { id: number; body: string; sender_id: number; _links: { self: string } }
type Page<T> = { items: T[]; _meta: { count: number; next_cursor: string | null }; _links: { next: string | null } }

async function member() {
  const user = await makeUser()
  const api = new ApiClient()
  return { user, api, token: await api.token(user.username, PASSWORD) }
}

describe('/api/messages', () => {
  it('sends, lists the inbox with unread counts, reads a thread (marking it read) and deletes own', async () => {
    const a = await member()
    const b = await member()
    const sent = await a.api.api('POST', `/api/messages/${b.user.username}`, {
      token: a.token,
      json: { body: ' hi b ' },
    })
    expect(sent.status).toBe(201)
    const message = (await sent.json()) as MessageJson
    expect(message).toMatchObject({ body: 'hi b', sender_id: a.user.id })
    expect(sent.headers.get('location')).toBe(message._links.self)
    expect((await getUserById(db, b.user.id))?.unreadMessageCount).toBe(1)

    const inbox = (await (await b.api.api('GET', '/api/messages', { token: b.token })).json()) as Page<{
      unread: number
      other: { id: number }
      last_message: string
    }>
    expect(inbox.items).toHaveLength(1)
    expect(inbox.items[0]).toMatchObject({ unread: 1, other: { id: a.user.id }, last_message: 'hi b' })

    const thread = (await (
      await b.api.api('GET', `/api/messages/${a.user.username}`, { token: b.token })
    ).json()) as Page<MessageJson>
    expect(thread.items.map((m) => m.body)).toEqual(['hi b'])
    expect((await getUserById(db, b.user.id))?.unreadMessageCount).toBe(0)

    const path = `/api/messages/${b.user.username}/${message.id}`
    expect(
      (await b.api.api('DELETE', `/api/messages/${a.user.username}/${message.id}`, { token: b.token })).status,
    ).toBe(403)
    expect((await a.api.api('DELETE', path, { token: a.token })).status).toBe(204)
    expect((await a.api.api('DELETE', path, { token: a.token })).status).toBe(404)
  })

  it('refuses yourself (422), unknown members (404), bad bodies (422), anonymous calls (401)', async () => {
    const a = await member()
    expect(
      (await a.api.api('POST', `/api/messages/${a.user.username}`, { token: a.token, json: { body: 'me' } })).status,
    ).toBe(422)
    expect(
      (await a.api.api('POST', '/api/messages/nobody_here_at_all', { token: a.token, json: { body: 'x' } })).status,
    ).toBe(404)
    const b = await member()
    const empty = await a.api.api('POST', `/api/messages/${b.user.username}`, { token: a.token, json: { body: '  ' } })
    expect(empty.status).toBe(422)
    expect(((await empty.json()) as { fields: Record<string, string> }).fields.body).toBe('Please write a message.')
    expect((await a.api.api('GET', '/api/messages')).status).toBe(401)
    expect((await a.api.api('GET', `/api/messages/${b.user.username}?before=zz`, { token: a.token })).status).toBe(400)
  })

  it('is limited per sender like the form (20 a minute)', async () => {
    const a = await member()
    const b = await member()
    const answers = await Promise.all(
      Array.from({ length: 21 }, (_, i) =>
        a.api.api('POST', `/api/messages/${b.user.username}`, { token: a.token, json: { body: `m${i}` } }),
      ),
    )
    expect(answers.filter((r) => r.status === 429)).toHaveLength(1)
  })
})
