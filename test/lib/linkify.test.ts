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

  it('keeps balanced parentheses and brackets in URLs, drops unbalanced closing ones', () => {
    const wiki = 'https://en.wikipedia.org/wiki/Foo_(bar)'
    expect(linkify(`read ${wiki}`)).toEqual([
      { kind: 'text', text: 'read ' },
      { kind: 'link', href: wiki, text: wiki },
    ])
    expect(linkify(`(see ${wiki}).`)).toEqual([
      { kind: 'text', text: '(see ' },
      { kind: 'link', href: wiki, text: wiki },
      { kind: 'text', text: ').' },
    ])
    expect(linkify('(https://example.com/a)')).toEqual([
      { kind: 'text', text: '(' },
      { kind: 'link', href: 'https://example.com/a', text: 'https://example.com/a' },
      { kind: 'text', text: ')' },
    ])
    expect(linkify('https://x.org/a_(b_(c))!')[0]).toEqual({
      kind: 'link',
      href: 'https://x.org/a_(b_(c))',
      text: 'https://x.org/a_(b_(c))',
    })
    expect(linkify('[https://x.org/list[1]]')[1]).toMatchObject({ href: 'https://x.org/list[1]' })
  })
})
