import { describe, expect, it } from 'vitest'
import { ApiClient } from '../api/contract'
import { Client, env } from '../helpers'

/** A random IPv6 /64 no other test uses, as `prefix::` for addresses inside it. */
function fresh64(): string {
  const group = () => Math.floor(Math.random() * 0xffff).toString(16)
  return `2001:db8:${group()}:${group()}`
}

/** Calls `call(i)` until one answer is 429 (at most `max` calls); that answer, or null. */
async function untilRefused(max: number, call: (i: number) => Promise<Response>): Promise<Response | null> {
  for (let i = 1; i <= max; i++) {
    const response = await call(i)
    if (response.status === 429) return response
    expect(response.status).toBe(200)
  }
  return null
}

async function rowsLike(pattern: string): Promise<number> {
  return (await env.DB.prepare('SELECT count(*) AS n FROM rate_limits WHERE key LIKE ?')
    .bind(pattern)
    .first<number>('n'))!
}

describe('per-address limits count an IPv6 client as its whole /64', () => {
  it('anonymous API calls from many addresses of one /64 share one hourly window and one row', async () => {
    const prefix = fresh64()
    const remaining: number[] = []
    for (let i = 1; i <= 12; i++) {
      // Every call from another address: a client rotating through its /64.
      const response = await new ApiClient(`${prefix}::${i.toString(16)}`).api('GET', '/api/explore')
      expect(response.status).toBe(200)
      remaining.push(Number(response.headers.get('ratelimit-remaining')))
    }
    expect(remaining).toEqual(remaining.map((_, i) => remaining[0]! - i))
    expect(await rowsLike(`api:ip:${prefix}%`)).toBe(1)
    expect(await rowsLike(`api:ip:${prefix}::%`)).toBe(1)
    // An IPv4 client is its own bucket, as before.
    await new ApiClient('192.0.2.77').api('GET', '/api/explore')
    expect(await rowsLike('api:ip:192.0.2.77')).toBe(1)
  })

  it('API bursts are refused per /64, not per address', async () => {
    const prefix = fresh64()
    const refused = await untilRefused(200, (i) =>
      new ApiClient(`${prefix}::${i.toString(16)}`).api('GET', '/api/openapi.json'),
    )
    expect(refused).not.toBeNull()
    expect(refused!.headers.get('retry-after')).toBe('10')
    // Another /64 is not affected.
    expect((await new ApiClient(`${fresh64()}::1`).api('GET', '/api/openapi.json')).status).toBe(200)
  })

  it('searches are refused per /64, on the page and in the API alike', async () => {
    const prefix = fresh64()
    const refused = await untilRefused(100, (i) => new Client(`${prefix}::${i.toString(16)}`).get('/search?q=hello'))
    expect(refused).not.toBeNull()
    expect(refused!.headers.get('retry-after')).toBe('10')
    // The same bucket through the API: the page and anonymous API calls share the key.
    const api = await new ApiClient(`${prefix}::ffff`).api('GET', '/api/search?q=hello')
    expect(api.status).toBe(429)
    expect((await new Client(`${fresh64()}::1`).get('/search?q=hello')).status).toBe(200)
  })
})
