import { describe, expect, it } from 'vitest'
import { FOLLOW_LIMIT } from '../../src/features/follows/actions'
import { hitRateLimit } from '../../src/middleware/rate-limit'
import { db, loggedIn, makeUser } from '../helpers'

describe('POST /follow and /unfollow rate limit', () => {
  it('answers 429 with Retry-After, as a page or an htmx fragment, once a member is over the limit', async () => {
    const { user, client } = await loggedIn()
    const other = await makeUser()
    // A few real toggles count...
    expect((await client.post(`/follow/${other.username}`)).status).toBe(303)
    expect((await client.post(`/unfollow/${other.username}`)).status).toBe(303)
    // ...and the rest of the budget is used up directly (each toggle re-copies posts today).
    for (let i = 2; i < FOLLOW_LIMIT.limit; i++) await hitRateLimit(db, `follow:user:${user.id}`, FOLLOW_LIMIT)
    const page = await client.post(`/follow/${other.username}`)
    expect(page.status).toBe(429)
    expect(Number(page.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(await page.text()).toContain('<html')
    const fragment = await client.post(`/unfollow/${other.username}`, {}, { htmx: true })
    expect(fragment.status).toBe(429)
    expect(Number(fragment.headers.get('retry-after'))).toBeGreaterThan(0)
    const html = await fragment.text()
    expect(html).not.toContain('<html')
    expect(html).toContain('role="alert"')
    // Another member is not affected.
    const { client: someoneElse } = await loggedIn()
    expect((await someoneElse.post(`/follow/${other.username}`)).status).toBe(303)
  })
})
