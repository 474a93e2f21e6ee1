import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createApp } from '../../src/app'
import type { Bindings } from '../../src/env'
import { ORIGIN, env, loggedIn, uniqueName } from '../helpers'

type Env = Cloudflare.Env

/** A queue that keeps what it is given, so a test can read every alert the app queued. */
function recordingQueue() {
  const sent: { subject: string; text: string; html: string }[] = []
  const queue = {
    send: async (message: { subject: string; text: string; html: string }) => {
      sent.push(message)
    },
    sendBatch: async () => {},
  }
  return { sent, queue }
}

async function post(
  app: ReturnType<typeof createApp>,
  path: string,
  form: Record<string, string>,
  extra: Partial<Bindings>,
  cookie?: string,
) {
  const ctx = createExecutionContext()
  const response = await app.request(
    `${ORIGIN}${path}`,
    {
      method: 'POST',
      body: new URLSearchParams(form),
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        Origin: ORIGIN,
        ...(cookie ? { Cookie: `session=${cookie}` } : {}),
      },
    },
    { ...env, ...extra } as Env,
    ctx,
  )
  await waitOnExecutionContext(ctx)
  return response
}

afterEach(() => vi.restoreAllMocks())

describe('a failing query in logs and alerts', () => {
  it('says only the cause (no SQL, no parameters) and raises one alert for every member who hits it', async () => {
    const lines: string[] = []
    vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
      lines.push(args.map(String).join(' '))
    })
    const { sent, queue } = recordingQueue()
    const app = createApp()
    const extra = { EMAIL_QUEUE: queue as unknown as Queue<unknown>, ADMINS: 'admin@microblog.test' }
    // D1 refuses every new post and every new member (as in an outage of one table).
    const members = [await loggedIn(), await loggedIn()]
    await env.DB.exec(
      "CREATE TRIGGER outage_posts BEFORE INSERT ON posts BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END",
    )
    await env.DB.exec(
      "CREATE TRIGGER outage_users BEFORE INSERT ON users BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END",
    )
    const secrets: string[] = []
    try {
      for (const { user, client } of members) {
        const body = `my private post ${uniqueName('secret')}`
        secrets.push(body, user.email, user.passwordHash)
        expect((await post(app, '/', { body }, extra, client.cookies.get('session'))).status).toBe(500)
      }
      expect(sent).toHaveLength(1)
      for (let i = 0; i < 2; i++) {
        const name = uniqueName('reg')
        const email = `${name.toLowerCase()}@private.example`
        secrets.push(email)
        const form = { username: name, email, password: 'a fine password', password2: 'a fine password' }
        expect((await post(app, '/auth/register', form, extra)).status).toBe(500)
      }
    } finally {
      await env.DB.exec('DROP TRIGGER outage_posts')
      await env.DB.exec('DROP TRIGGER outage_users')
    }
    // Two routes failed, four members hit them: two alerts, one per route.
    expect(sent).toHaveLength(2)
    expect(lines.length).toBeGreaterThanOrEqual(4)
    const everything = [...lines, ...sent.flatMap((m) => [m.subject, m.text, m.html])]
    for (const text of everything) {
      for (const secret of secrets) expect(text).not.toContain(secret)
      expect(text).not.toMatch(/Failed query|params:|insert into/i)
      expect(text).not.toContain('scrypt$')
    }
    expect(sent[0]!.text).toContain('disk I/O error')
    const logged = JSON.parse(lines[0]!) as { error: { message: string } }
    expect(logged.error.message).toContain('disk I/O error')
  })
})
