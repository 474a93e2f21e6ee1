import { describe, expect, it } from 'vitest'
import { toFtsQuery } from '../../src/lib/fts-query'
import { markRanges, splitByRanges } from '../../src/lib/highlight'

describe('toFtsQuery', () => {
  it('quotes every word and makes the last one a prefix', () => {
    expect(toFtsQuery('hello wor')).toBe('"hello" "wor"*')
    expect(toFtsQuery('  café  ')).toBe('"café"*')
  })

  it('never lets FTS5 syntax through', () => {
    expect(toFtsQuery('say "hi')).toBe('"say" """hi"*')
    expect(toFtsQuery('NEAR(a b)')).toBe('"NEAR(a" "b)"*')
    expect(toFtsQuery('-x col:foo ^a')).toBe('"-x" "col:foo" "^a"*')
    expect(toFtsQuery('a OR NOT b')).toBe('"a" "OR" "NOT" "b"*')
  })

  it('drops words without a letter or digit, control characters included', () => {
    expect(toFtsQuery('( ) * "')).toBeNull()
    expect(toFtsQuery('🎉🎉')).toBeNull()
    expect(toFtsQuery('a\u0000b')).toBe('"a" "b"*')
    expect(toFtsQuery('')).toBeNull()
  })

  it('uses at most 12 words', () => {
    expect(toFtsQuery(Array.from({ length: 50 }, (_, i) => `w${i}`).join(' '))!.split(' ')).toHaveLength(12)
  })
})

describe('markRanges', () => {
  it('turns highlight() markers into ranges of the plain text', () => {
    expect(markRanges('a \u0001cafe\u0002 b \u0001x\u0002', 'a cafe b x')).toEqual([
      [2, 6],
      [9, 10],
    ])
  })

  it('gives no ranges when the marked text is not the body', () => {
    expect(markRanges('\u0001a\u0002\u0001', 'a')).toEqual([])
    expect(markRanges('\u0001a\u0002', 'b')).toEqual([])
  })

  it('splits a segment by the ranges that fall in it', () => {
    expect(splitByRanges('see http://x.y now', 0, [[4, 8]])).toEqual([
      { text: 'see ', marked: false },
      { text: 'http', marked: true },
      { text: '://x.y now', marked: false },
    ])
    expect(splitByRanges('x.y', 11, [[4, 8]])).toEqual([{ text: 'x.y', marked: false }])
  })
})
