import { describe, expect, it } from 'vitest'
import { linkify } from '../../src/lib/linkify'

describe('linkify', () => {
  it('finds http(s) links and leaves trailing punctuation out', () => {
    expect(linkify('see https://example.com/a?b=1. and http://x.org!')).toEqual([
      { kind: 'text', text: 'see ' },
      { kind: 'link', href: 'https://example.com/a?b=1', text: 'https://example.com/a?b=1' },
      { kind: 'text', text: '. and ' },
      { kind: 'link', href: 'http://x.org', text: 'http://x.org' },
      { kind: 'text', text: '!' },
    ])
  })

  it('does not link other schemes', () => {
    expect(linkify('javascript:alert(1) ftp://x data:text/html,hi')).toEqual([
      { kind: 'text', text: 'javascript:alert(1) ftp://x data:text/html,hi' },
    ])
  })
})
