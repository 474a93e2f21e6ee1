import { env } from 'cloudflare:workers'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { Client, loggedIn } from '../helpers'

afterEach(() => vi.restoreAllMocks())

describe('error pages', () => {
  it('renders 404 in the layout, and a small fragment for htmx', async () => {
    const page = await new Client().get('/no/such/page')
    expect(page.status).toBe(404)
    const html = await page.text()
    expect(html).toContain('<html')
    expect(html).toContain('Page not found')
    const fragment = await new Client().get('/no/such/page', { htmx: true })
    expect(fragment.status).toBe(404)
    const text = await fragment.text()
    expect(text).not.toContain('<html')
    expect(text).toContain('role="alert"')
  })

  it('answers 413 for an oversized form, not 500', async () => {
    const { client } = await loggedIn()
    const response = await client.post('/', { body: 'x'.repeat(100_000) })
    expect(response.status).toBe(413)
  })

  it('hides internals on a 500 and logs one JSON line with a request id', async () => {
    const { client } = await loggedIn()
    const lines: string[] = []
    vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
      lines.push(args.map(String).join(' '))
    })
    // Break the database under the app (this file's D1 is isolated from other tests).
    await env.DB.exec('DROP TABLE timeline_entries')
    const response = await client.get('/')
    expect(response.status).toBe(500)
    const html = await response.text()
    expect(html).toContain('Something went wrong')
    expect(html).not.toMatch(/timeline_entries|SQLITE|at \w+ \(/i)
    const requestId = response.headers.get('x-request-id')
    expect(requestId).toBeTruthy()
    expect(html).toContain(requestId!)
    const logged = lines.map((line) => JSON.parse(line) as { level: string; requestId: string; path: string })
    expect(logged).toHaveLength(1)
    expect(logged[0]).toMatchObject({ level: 'error', requestId, path: '/' })
    // The failed query's SQL and bound parameters (the member's id here) stay out of the log:
    // only D1's own error is told.
    expect(lines[0]).not.toMatch(/Failed query|params:|select /i)
    expect(lines[0]).toContain('no such table: timeline_entries')
  })
})
