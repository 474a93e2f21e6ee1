import { describe, expect, it } from 'vitest'
import { HASHED_ASSETS } from '../../src/views/assets.generated'
import { Client } from '../helpers'

describe('hashed asset names in the layout', () => {
  it('links every stylesheet and script of the page by its content-hashed name', async () => {
    const html = await (await new Client().get('/explore')).text()
    const links = [...html.matchAll(/<(?:link rel="stylesheet" href|script src)="([^"]+)"/g)].map((m) => m[1]!)
    expect(links.length).toBeGreaterThan(5)
    for (const link of links) expect(link).toMatch(/^\/assets\/(css|js)\/[\w.-]+\.[0-9a-f]{12}\.(css|js)$/)
    expect(links).toContain(HASHED_ASSETS['/css/app.css'])
    expect(links).toContain(HASHED_ASSETS['/js/htmx.min.js'])
  })
})
