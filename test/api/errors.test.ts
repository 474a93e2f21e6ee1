import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { makeUser, PASSWORD } from '../helpers'
import { ApiClient } from './contract'

/**
 * Concurrent rounds of `size` requests until one is refused (at most three rounds). The
 * binding counts in fixed 10-second windows: a round that straddles a window boundary is
 * split between two windows, the next round is not.
 */
async function burstUntilRefused(size: number, call: () => Promise<Response>): Promise<Response[]> {
  for (let round = 0; round < 3; round++) {
    const answers = await Promise.all(Array.from({ length: size }, call))
    const limited = answers.filter((r) => r.status === 429)
    if (limited.length > 0) return limited
  }
  return []
}

function expectJsonError(response: Response) {
  expect(response.headers.get('content-type')).toMatch(/^application\/json/)
}

describe('errors under /api are JSON', () => {
  it('404 for an unknown path, 405 with Allow for a known path and another method', async () => {
    const api = new ApiClient()
    const missing = await api.api('GET', '/api/no/such/thing')
    expect(missing.status).toBe(404)
    expectJsonError(missing)
    expect(await missing.json()).toEqual({ error: 'not_found', message: 'Nothing lives at that address.' })
    const wrong = await api.api('PATCH', '/api/posts/1')
    expect(wrong.status).toBe(405)
    expect(wrong.headers.get('allow')).toBe('GET, DELETE, HEAD, OPTIONS')
    expect(await wrong.json()).toMatchObject({ error: 'method_not_allowed' })
    const put = await api.api('PUT', '/api/timeline')
    expect(put.status).toBe(405)
  })

  it('413 for a body over 64 KB, 415 for a form body, 400 for malformed JSON', async () => {
    const { user } = { user: await makeUser() }
    const api = new ApiClient()
    const token = await api.token(user.username, PASSWORD)
    const big = await api.api('POST', '/api/posts', { token, json: { body: 'x'.repeat(70 * 1024) } })
    expect(big.status).toBe(413)
    expect(await big.json()).toMatchObject({ error: 'payload_too_large' })
    const form = await api.api('POST', '/api/posts', {
      token,
      body: 'body=hello',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    })
    expect(form.status).toBe(415)
    expectJsonError(form)
    const malformed = await api.api('POST', '/api/posts', {
      token,
      body: '{"body": "unterminated',
      headers: { 'Content-Type': 'application/json' },
    })
    expect(malformed.status).toBe(400)
    expect(await malformed.json()).toMatchObject({
      error: 'bad_request',
      message: 'The request body is not valid JSON.',
    })
  })

  it('messages follow Accept-Language', async () => {
    const response = await new ApiClient().api('GET', '/api/nothing', {
      headers: { 'Accept-Language': 'es-ES,es;q=0.9' },
    })
    expect(await response.json()).toMatchObject({ message: 'No hay nada en esa dirección.' })
  })
})

describe('rate limits', () => {
  it('every answer carries RateLimit-* headers from the hourly window', async () => {
    const api = new ApiClient()
    const first = await api.api('GET', '/api/explore')
    const second = await api.api('GET', '/api/explore')
    expect(first.headers.get('ratelimit-limit')).toBe('300')
    expect(first.headers.get('ratelimit-policy')).toBe('300;w=3600')
    expect(Number(first.headers.get('ratelimit-remaining')) - Number(second.headers.get('ratelimit-remaining'))).toBe(1)
    expect(Number(second.headers.get('ratelimit-reset'))).toBeGreaterThan(3500)
  })

  it('a token over its hourly allowance (D1 window) gets 429 with Retry-After', async () => {
    const user = await makeUser()
    const api = new ApiClient()
    const token = await api.token(user.username, PASSWORD)
    const [id] = token.split('.') as [string]
    await env.DB.prepare('INSERT INTO rate_limits (key, count, reset_at) VALUES (?, 1000, ?)')
      .bind(`api:token:${id}`, Date.now() + 1800_000)
      .run()
    const limited = await api.api('GET', '/api/timeline', { token })
    expect(limited.status).toBe(429)
    expect(await limited.json()).toMatchObject({ error: 'rate_limited' })
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(1700)
    expect(limited.headers.get('ratelimit-remaining')).toBe('0')
    // Another client from the same address is not affected: the window is the token's.
    expect((await new ApiClient(api.ip).api('GET', '/api/explore')).status).toBe(200)
  })

  it('bursts: more than 30 calls in 10 s with one token are refused (Rate Limiting binding)', async () => {
    const user = await makeUser()
    const api = new ApiClient()
    const token = await api.token(user.username, PASSWORD)
    const limited = await burstUntilRefused(35, () => api.api('GET', '/api/timeline', { token }))
    expect(limited.length).toBeGreaterThanOrEqual(1)
    expect(limited[0]!.headers.get('retry-after')).toBe('10')
    // The same address with another token still gets through.
    const other = await new ApiClient().token(user.username, PASSWORD)
    expect((await api.api('GET', '/api/timeline', { token: other })).status).toBe(200)
  })

  it('bursts: more than 120 calls in 10 s from one address are refused', async () => {
    const api = new ApiClient('10.254.1.1')
    const limited = await burstUntilRefused(125, () => api.api('GET', '/api/explore?limit=1'))
    expect(limited.length).toBeGreaterThanOrEqual(1)
    expect((await new ApiClient('10.254.1.2').api('GET', '/api/explore?limit=1')).status).toBe(200)
  })
})
