import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { createApp } from '../../src/app'
import { handleScheduled } from '../../src/features/housekeeping/cron'
import { BOOKMARK_COOKIE, isBookmark, sessionStart } from '../../src/middleware/d1-bookmark'
import { ApiClient } from '../api/contract'
import { Client, env, makeUser, PASSWORD } from '../helpers'

type Env = Cloudflare.Env

/**
 * The D1 binding behind a small wrapper that records where each `withSession` starts
 * (locally every session reads the primary, so the argument is what can be checked).
 */
function recordingDb() {
  const starts: string[] = []
  const DB = {
    withSession(start?: string) {
      starts.push(start ?? '(none)')
      return env.DB.withSession(start)
    },
    prepare: (sql: string) => env.DB.prepare(sql),
    batch: (statements: D1PreparedStatement[]) => env.DB.batch(statements),
    exec: (sql: string) => env.DB.exec(sql),
  }
  return { starts, DB: DB as unknown as D1Database }
}

/** A client whose requests reach an app with the recording binding. */
function recordingClient<C extends Client>(client: C) {
  const { starts, DB } = recordingDb()
  const app = createApp()
  client.transport = async (request) => {
    const ctx = createExecutionContext()
    const response = await app.fetch(request, { ...env, DB } as Env, ctx)
    await waitOnExecutionContext(ctx)
    return response
  }
  return { client, starts }
}

describe('D1 read replication (Sessions API)', () => {
  it('starts an anonymous page at any replica and sets no bookmark cookie', async () => {
    const { client, starts } = recordingClient(new Client())
    const response = await client.get('/explore')
    expect(response.status).toBe(200)
    expect(starts).toEqual(['first-unconstrained'])
    expect(client.cookies.has(BOOKMARK_COOKIE)).toBe(false)
  })

  it('hands a member the bookmark after a write, and their next request starts from it', async () => {
    const user = await makeUser()
    const { client, starts } = recordingClient(new Client())
    // Logging in writes (a session row): a write starts at the primary.
    await client.login(user.username)
    expect(starts).toEqual(['first-primary'])
    const cookie = client.cookies.get(BOOKMARK_COOKIE)
    expect(isBookmark(cookie)).toBe(true)

    // A write starts at the primary whatever its bookmark (its session is checked there).
    const posted = await client.post('/', { body: 'read your own writes' })
    expect(posted.status).toBe(303)
    expect(starts[1]).toBe('first-primary')
    const line = posted.headers.getSetCookie().find((c) => c.startsWith(`${BOOKMARK_COOKIE}=`))!
    expect(line).toMatch(/HttpOnly/i)
    expect(line).toMatch(/SameSite=Lax/i)
    expect(line).toMatch(/Max-Age=300\b/)
    expect(line).not.toMatch(/Secure/i) // plain-http localhost; https adds Secure
    const after = client.cookies.get(BOOKMARK_COOKIE)!
    expect(after).not.toBe(cookie) // the write moved the bookmark on

    const home = await client.get('/')
    expect(home.status).toBe(200)
    expect(await home.text()).toContain('read your own writes')
    expect(starts[2]).toBe(after)
  })

  it('starts a member without a bookmark cookie at the primary', async () => {
    const user = await makeUser()
    const { client, starts } = recordingClient(new Client())
    await client.login(user.username)
    client.cookies.delete(BOOKMARK_COOKIE)
    expect((await client.get('/explore')).status).toBe(200)
    expect(starts.at(-1)).toBe('first-primary')
    // …and gives them one for the next request.
    expect(isBookmark(client.cookies.get(BOOKMARK_COOKIE))).toBe(true)
  })

  it('treats a garbage or over-long bookmark cookie as "start at the primary", never an error', async () => {
    const { client, starts } = recordingClient(new Client())
    const bad = ['garbage!!', "x' OR 1=1 --", `${'0'.repeat(8)}-${'a'.repeat(200)}`, '%00', '-']
    for (const value of bad) {
      client.cookies.set(BOOKMARK_COOKIE, value)
      const response = await client.get('/explore')
      expect(response.status).toBe(200)
      expect(starts.at(-1)).toBe('first-primary')
    }
    expect(starts).not.toContain('garbage!!')
  })

  it('uses the X-D1-Bookmark header in the API: primary for writes and tokens, the bookmark back on every answer', async () => {
    const user = await makeUser()
    const { client: api, starts } = recordingClient(new ApiClient())
    const token = await api.token(user.username, PASSWORD)
    expect(starts).toEqual(['first-primary'])
    // Each request with a token: the request's session, then the token's look-up on the primary.
    const created = await api.api('POST', '/api/posts', { token, json: { body: 'from the API' } })
    expect(created.status).toBe(201)
    expect(starts.slice(1)).toEqual(['first-primary', 'first-primary'])
    const bookmark = created.headers.get('X-D1-Bookmark')
    expect(isBookmark(bookmark)).toBe(true)
    // The API sets no cookies.
    expect(created.headers.getSetCookie()).toEqual([])

    const read = await api.api('GET', `/api/users/${user.id}/posts`, {
      token,
      headers: { 'X-D1-Bookmark': bookmark! },
    })
    expect(read.status).toBe(200)
    expect(starts.slice(3)).toEqual([bookmark, 'first-primary'])
    expect(await read.text()).toContain('from the API')

    await api.api('GET', `/api/users/${user.id}`, { token })
    expect(starts.slice(5)).toEqual(['first-unconstrained', 'first-primary'])
    await api.api('GET', `/api/users/${user.id}`, { headers: { 'X-D1-Bookmark': 'nope' } })
    expect(starts.slice(7)).toEqual(['first-primary'])
    // A write starts at the primary even with a bookmark: its credentials are checked there.
    await api.api('POST', '/api/posts', { token, json: { body: 'again' }, headers: { 'X-D1-Bookmark': bookmark! } })
    expect(starts.slice(8)).toEqual(['first-primary', 'first-primary'])
  })

  it('runs the stuck-jobs cron on a session that starts at the primary', async () => {
    const { starts, DB } = recordingDb()
    await handleScheduled(
      { cron: '*/5 * * * *', scheduledTime: Date.now() } as ScheduledController,
      {
        ...env,
        DB,
      } as Env,
    )
    expect(starts.length).toBeGreaterThan(0)
    expect(new Set(starts)).toEqual(new Set(['first-primary']))
  })
})

describe('sessionStart', () => {
  it('chooses bookmark > primary for bad input > primary when needed > any replica', () => {
    const good = '00000000-0000000d-00000000-00000000000000000000000000000000'
    expect(sessionStart(good, false)).toBe(good)
    expect(sessionStart('first-unconstrained', false)).toBe('first-primary')
    expect(sessionStart('', false)).toBe('first-primary')
    expect(sessionStart(undefined, true)).toBe('first-primary')
    expect(sessionStart(undefined, false)).toBe('first-unconstrained')
    expect(sessionStart(null, false)).toBe('first-unconstrained')
  })
})
