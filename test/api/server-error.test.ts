import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { ApiClient } from './contract'

// A file of its own: it breaks this file's database on purpose.
describe('500 under /api', () => {
  it('is JSON, without SQL or a stack trace', async () => {
    const api = new ApiClient()
    await api.api('GET', '/api/explore') // the document is fetched before the break
    await env.DB.prepare('ALTER TABLE posts RENAME TO posts_gone').run()
    const errors: unknown[] = []
    const original = console.error
    console.error = (...args: unknown[]) => errors.push(args)
    try {
      const response = await api.api('GET', '/api/explore')
      expect(response.status).toBe(500)
      expect(response.headers.get('content-type')).toMatch(/^application\/json/)
      const text = await response.text()
      expect(JSON.parse(text)).toMatchObject({ error: 'internal_error' })
      expect(text).not.toMatch(/posts|SQL|at /i)
    } finally {
      console.error = original
      await env.DB.prepare('ALTER TABLE posts_gone RENAME TO posts').run()
    }
    // One structured log line with the request id (the answer does not carry the details).
    const line = JSON.parse(String((errors[0] as unknown[])[0])) as { level: string; requestId: string; path: string }
    expect(line).toMatchObject({ level: 'error', path: '/api/explore' })
    expect(line.requestId).toBeTruthy()
  })
})
