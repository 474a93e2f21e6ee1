import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createApp } from '../../src/app'
import type { Bindings } from '../../src/env'
import { signSearchCursor } from '../../src/features/search/cursor'
import { ORIGIN, env } from '../helpers'

afterEach(() => vi.restoreAllMocks())

/** Every line the app writes to the console while `work` runs. */
async function logsOf(work: () => Promise<void>): Promise<string[]> {
  const lines: string[] = []
  for (const method of ['log', 'info', 'warn', 'error'] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      lines.push(args.map(String).join(' '))
    })
  }
  await work()
  vi.restoreAllMocks()
  return lines
}

/** A request to an app deployed with `overrides` on top of the test bindings. */
async function request(path: string, overrides: Partial<Record<keyof Bindings, unknown>>) {
  const ctx = createExecutionContext()
  const response = await createApp().fetch(
    new Request(`${ORIGIN}${path}`, { headers: { 'CF-Connecting-IP': '192.0.2.200' } }),
    { ...env, ...overrides } as Cloudflare.Env,
    ctx,
  )
  await waitOnExecutionContext(ctx)
  return response
}

const PRODUCTION = { ENVIRONMENT: 'production', ADMINS: '' }

describe('a required secret that is missing', () => {
  for (const name of ['CURSOR_SECRET', 'DEVICE_COOKIE_SECRET'] as const) {
    it(`${name}: every request fails with a 500 and one clear log line naming it`, async () => {
      let page: Response | undefined
      let api: Response | undefined
      const lines = await logsOf(async () => {
        page = await request('/explore', { ...PRODUCTION, [name]: undefined })
        api = await request('/api/explore', { ...PRODUCTION, [name]: '' })
      })
      expect(page!.status).toBe(500)
      expect(await page!.text()).toContain('Something went wrong')
      expect(api!.status).toBe(500)
      expect(await api!.json()).toMatchObject({ error: 'internal_error' })
      const said = lines.filter((line) => line.includes('config.missing-secrets'))
      expect(said.length).toBeGreaterThanOrEqual(1)
      expect(said[0]).toContain(name)
      expect(said[0]).toContain('wrangler secret put')
    })
  }

  it('SMTP_PASSWORD, when the SMTP transport logs in with a user', async () => {
    const smtp = { ...PRODUCTION, EMAIL_TRANSPORT: 'smtp', SMTP_USER: 'mailer', SMTP_PASSWORD: undefined }
    const lines = await logsOf(async () => {
      expect((await request('/healthz', smtp)).status).toBe(500)
    })
    expect(lines.find((line) => line.includes('config.missing-secrets'))).toContain('SMTP_PASSWORD')
    // Without a user there is nothing to log in with: no password needed.
    expect((await request('/healthz', { ...smtp, SMTP_USER: '' })).status).toBe(200)
  })

  it('never signs a search cursor with a key everyone knows', () => {
    const hit = { id: 1, score: -1, createdAt: 1 } as Parameters<typeof signSearchCursor>[2]
    expect(() => signSearchCursor({ CURSOR_SECRET: '' }, '"a"', hit)).toThrow(/CURSOR_SECRET/)
    expect(() => signSearchCursor({} as { CURSOR_SECRET: string }, '"a"', hit)).toThrow(/CURSOR_SECRET/)
  })

  it('with every secret set, the app answers as usual', async () => {
    expect((await request('/explore', PRODUCTION)).status).toBe(200)
    expect((await request('/api/explore', PRODUCTION)).status).toBe(200)
  })
})
