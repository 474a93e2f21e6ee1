import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { avatarUrl, gravatarHash } from '../../src/lib/gravatar'

describe('gravatar', () => {
  it('hashes the lower-cased address', () => {
    const expected = createHash('sha256').update('john@example.com').digest('hex')
    expect(gravatarHash('john@example.com')).toBe(expected)
    expect(gravatarHash('John@Example.COM')).toBe(expected)
    expect(gravatarHash('  John@Example.COM ')).toBe(expected)
  })

  it('builds an identicon URL of the requested size', () => {
    const url = new URL(avatarUrl('John@Example.COM', 128))
    expect(url.origin).toBe('https://www.gravatar.com')
    expect(url.pathname).toBe(`/avatar/${gravatarHash('john@example.com')}`)
    expect(url.searchParams.get('d')).toBe('identicon')
    expect(url.searchParams.get('s')).toBe('128')
  })
})
