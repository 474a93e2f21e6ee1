import { applyD1Migrations, createExecutionContext, waitOnExecutionContext } from 'cloudflare:test'
import { eq } from 'drizzle-orm'
import { beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../src/app'
import { createDb } from '../../src/db/client'
import { apiTokens, posts, sessions, users } from '../../src/db/schema'
import { BOOKMARK_COOKIE } from '../../src/middleware/d1-bookmark'
import { ApiClient } from '../api/contract'
import { Client, db, env, loggedIn, makeUser, PASSWORD } from '../helpers'

/**
 * Read replication with lag, which local D1 cannot show (every session reads the primary):
 * a session started at `first-primary` reads the real database; any other start (any
 * replica, or a bookmark) reads LAGGING_REPLICA, a copy the test fills by hand with the rows
 * as they were before a revocation.
 */
const replica = createDb(env.LAGGING_REPLICA)
const laggingDb = {
  withSession(start?: string) {
    return start === 'first-primary'
      ? env.DB.withSession(start)
      : env.LAGGING_REPLICA.withSession('first-unconstrained')
  },
  prepare: (sql: string) => env.DB.prepare(sql),
  batch: (statements: D1PreparedStatement[]) => env.DB.batch(statements),
  exec: (sql: string) => env.DB.exec(sql),
} as unknown as D1Database

/** Sends a client's requests to an app whose replicas lag behind. */
function throughLaggingReplica<C extends Client>(client: C): C {
  const app = createApp()
  client.transport = async (request) => {
    const ctx = createExecutionContext()
    const response = await app.fetch(request, { ...env, DB: laggingDb } as Cloudflare.Env, ctx)
    await waitOnExecutionContext(ctx)
    return response
  }
  return client
}

/** The replica catches up with the primary on this member's rows, then falls behind again. */
async function replicate(userId: number) {
  const user = await db.select().from(users).where(eq(users.id, userId)).get()
  await replica.insert(users).values(user!).onConflictDoNothing()
  for (const row of await db.select().from(sessions).where(eq(sessions.userId, userId))) {
    await replica.insert(sessions).values(row).onConflictDoNothing()
  }
  for (const row of await db.select().from(apiTokens).where(eq(apiTokens.userId, userId))) {
    await replica.insert(apiTokens).values(row).onConflictDoNothing()
  }
}

beforeAll(async () => {
  await applyD1Migrations(env.LAGGING_REPLICA, env.TEST_MIGRATIONS)
})

describe('credentials are looked up on the primary', () => {
  it('refuses an API token revoked a moment ago, while a lagging replica still has it', async () => {
    const user = await makeUser()
    const api = throughLaggingReplica(new ApiClient())
    const token = await api.token(user.username, PASSWORD)
    await replicate(user.id)
    // Only the replica says this, so an answer that shows it was read there.
    await replica.update(users).set({ aboutMe: 'as the replica has it' }).where(eq(users.id, user.id))

    // A valid token: checked on the primary, the page still read from a replica.
    const page = await api.api('GET', `/api/users/${user.id}`, { token })
    expect(page.status).toBe(200)
    expect(((await page.json()) as { about_me: string }).about_me).toBe('as the replica has it')

    expect((await api.api('DELETE', '/api/tokens', { token })).status).toBe(204)
    const after = await api.api('GET', `/api/users/${user.id}`, { token })
    expect(after.status).toBe(401)
    expect(after.headers.get('WWW-Authenticate')).toMatch(/^Bearer/)
  })

  it('refuses a write with a session cookie logged out a moment ago, whatever bookmark it carries', async () => {
    const bob = await loggedIn()
    const thief = throughLaggingReplica(new Client())
    thief.cookies = new Map(bob.client.cookies)
    // A bookmark the thief kept from an earlier answer: it names a replica state from before the logout.
    thief.cookies.set(BOOKMARK_COOKIE, '00000000-00000001-00000000-00000000000000000000000000000000')
    await replicate(bob.user.id)
    expect((await bob.client.post('/auth/logout')).status).toBe(303)

    const attempt = await thief.post('/', { body: 'posted with a dead session' })
    expect(attempt.status).toBe(303)
    expect(attempt.headers.get('Location')).toMatch(/^\/auth\/login/)
    const written = [
      ...(await db.select().from(posts).where(eq(posts.userId, bob.user.id))),
      ...(await replica.select().from(posts).where(eq(posts.userId, bob.user.id))),
    ]
    expect(written).toEqual([])
  })
})
