import { createExecutionContext } from 'cloudflare:test'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createApp } from '../../src/app'
import { Client, env, loggedIn, makeUser } from '../helpers'

type Env = Cloudflare.Env

afterEach(() => vi.restoreAllMocks())

describe('Cache-Control', () => {
  it("sends private, no-store on a member's pages and fragments", async () => {
    const { client } = await loggedIn()
    const other = await makeUser()
    for (const response of [
      await client.get('/'),
      await client.get('/explore'),
      await client.get(`/user/${other.username}`),
      await client.get('/explore', { htmx: true }),
      await client.post(`/follow/${other.username}`, {}, { htmx: true }),
      await client.get('/no/such/page'),
    ]) {
      expect(response.headers.get('cache-control'), response.url).toBe('private, no-store')
      expect(response.headers.get('vary') ?? '').toMatch(/Cookie/)
    }
  })

  it('states its own caching on anonymous pages', async () => {
    const other = await makeUser()
    const anonymous = new Client()
    for (const path of ['/explore', '/auth/login', `/user/${other.username}`]) {
      const response = await anonymous.get(path)
      expect(response.status, path).toBe(200)
      expect(response.headers.get('cache-control'), path).toBe('public, no-cache')
      expect(response.headers.get('vary') ?? '').toMatch(/Cookie/)
    }
    // A page that chose its own rule keeps it.
    expect((await anonymous.get('/auth/reset-password/not-a-token')).headers.get('cache-control')).toBe('no-store')
  })
})

describe('X-Request-Id', () => {
  it("is ours, never the client's, in the answer and in the log", async () => {
    const { client } = await loggedIn()
    const response = await client.get('/', { headers: { 'X-Request-Id': 'chosen-by-client' } })
    const id = response.headers.get('x-request-id')
    expect(id).toMatch(/^[0-9a-f-]{36}$/)
    expect(id).not.toBe('chosen-by-client')

    const lines: string[] = []
    vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(' ')))
    const app = createApp()
    app.get('/boom', () => {
      throw new Error('boom')
    })
    const failed = await app.request(
      '/boom',
      { headers: { 'X-Request-Id': 'chosen-by-client' } },
      { ...env, ADMINS: '' } as Env,
      createExecutionContext(),
    )
    expect(failed.status).toBe(500)
    const logged = JSON.parse(lines[0]!) as { requestId: string; clientRequestId?: string }
    expect(logged.requestId).toBe(failed.headers.get('x-request-id'))
    expect(logged.requestId).not.toBe('chosen-by-client')
    expect(logged.clientRequestId).toBe('chosen-by-client')
  })
})

describe('GET /dev/mail', () => {
  it('answers only in development and only on a loopback host', async () => {
    const app = createApp()
    const development = { ...env, ENVIRONMENT: 'development' } as Env
    for (const host of ['localhost', '127.0.0.1', '[::1]']) {
      const response = await app.request(`http://${host}/dev/mail`, {}, development, createExecutionContext())
      expect(response.status, host).toBe(200)
    }
    for (const url of [
      'https://microblog.example/dev/mail',
      'http://10.0.0.5/dev/mail',
      'http://localhost.evil.example/dev/mail',
    ]) {
      const response = await app.request(url, {}, development, createExecutionContext())
      expect(response.status, url).toBe(404)
    }
    const noEnv = { ...env, ENVIRONMENT: undefined } as unknown as Env
    expect((await app.request('http://localhost/dev/mail', {}, noEnv, createExecutionContext())).status).toBe(404)
  })
})
