import { describe, expect, it } from 'vitest'
import { checkText, normalizeText } from '../../src/lib/text'

const limits = { maxGraphemes: 140 }

describe('normalizeText', () => {
  it('strips NUL and the other C0/C1 controls but keeps newlines and tabs', () => {
    expect(normalizeText('a\u0000b\u0007c\u001bd\u007fe\u0085f')).toBe('abcdef')
    expect(normalizeText('line one\n\tindented')).toBe('line one\n\tindented')
  })

  it('turns CRLF and lone CR into LF', () => {
    expect(normalizeText('a\r\nb\rc')).toBe('a\nb\nc')
  })

  it('collapses runs of more than two blank lines to two', () => {
    expect(normalizeText('a\n\n\n\n\n\nb')).toBe('a\n\n\nb')
    expect(normalizeText('a\n \n\t\n  \n\nb')).toBe('a\n\n\nb')
    // Two blank lines are left alone.
    expect(normalizeText('a\n\n\nb')).toBe('a\n\n\nb')
  })

  it('trims the ends', () => {
    expect(normalizeText('  \n hi \n ')).toBe('hi')
  })
})

describe('checkText', () => {
  it('accepts ordinary text and returns it normalised', () => {
    expect(checkText('  héllo\u0000 wörld 😀 ', limits)).toEqual({ ok: true, text: 'héllo wörld 😀' })
    // Marks that do not override anything (LRM, Arabic letter mark) are fine.
    expect(checkText('abc\u200e def', limits).ok).toBe(true)
  })

  it('refuses bidi override and isolate controls', () => {
    for (const c of ['\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069']) {
      expect(checkText(`see ${c}gpj.exe`, limits)).toMatchObject({ ok: false, problem: 'bidi' })
    }
  })

  it('refuses text that is only whitespace or zero-width characters', () => {
    for (const text of [
      '',
      '   ',
      '\n\t\n',
      '\u200b\u200b',
      '\u200c\u200d\u2060\ufeff',
      '\u3000 \u00a0',
      '\u0000\u0001',
    ]) {
      expect(checkText(text, limits)).toMatchObject({ ok: false, problem: 'blank' })
    }
  })

  it('allows empty text when the field is optional, but still not invisible-only text', () => {
    expect(checkText('  ', { ...limits, required: false })).toEqual({ ok: true, text: '' })
    expect(checkText('\u200b', { ...limits, required: false })).toMatchObject({ ok: false, problem: 'blank' })
  })

  it('caps graphemes and, separately, code points (zalgo)', () => {
    expect(checkText('x'.repeat(140), limits).ok).toBe(true)
    expect(checkText('x'.repeat(141), limits)).toMatchObject({ ok: false, problem: 'tooLong' })
    // 10 graphemes, each a letter with 60 combining marks: few characters, but ~1.2 KB.
    const zalgo = ('z' + '\u0301'.repeat(60)).repeat(10)
    expect(checkText(zalgo, limits)).toMatchObject({ ok: false, problem: 'tooLong' })
    // Within 4 code points per allowed grapheme, combining marks are fine.
    expect(checkText(('e' + '\u0301\u0302\u0303').repeat(140), limits).ok).toBe(true)
    expect(checkText('abc', { maxGraphemes: 140, maxCodePoints: 2 })).toMatchObject({ ok: false, problem: 'tooLong' })
  })
})
