import { describe, expect, it } from 'vitest'
import { SUPPORTED_LANGUAGES } from '../../src/lib/i18n'
import { ABSOLUTE_TIME_OPTIONS, compileFormat, formatAbsoluteTime } from '../../src/lib/time-format'

const intl = (lang: string, at: number) => new Intl.DateTimeFormat(lang, ABSOLUTE_TIME_OPTIONS).format(at)

/** Deterministic pseudo-random times between 1990 and 2060. */
function times(count: number): number[] {
  let seed = 14
  const out: number[] = []
  for (let i = 0; i < count; i++) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31
    out.push(Date.UTC(1990, 0, 1) + Math.floor((seed / 2 ** 31) * 70 * 365.25 * 24 * 3600 * 1000))
  }
  return out
}

describe('formatAbsoluteTime', () => {
  it('writes exactly what Intl.DateTimeFormat writes, in every supported language', () => {
    for (const lang of SUPPORTED_LANGUAGES) {
      // Every hour of a day (midnight, noon, AM/PM), every month, then random times.
      const day = Array.from({ length: 24 * 4 }, (_, i) => Date.UTC(2026, 0, 31, 0, i * 15))
      const months = Array.from({ length: 12 }, (_, m) => Date.UTC(2025, m, 9, 7, 3))
      for (const at of [...day, ...months, ...times(2000)]) expect(formatAbsoluteTime(lang, at)).toBe(intl(lang, at))
    }
  })

  it('does not call Intl per time for the supported languages (the pattern is compiled)', () => {
    for (const lang of SUPPORTED_LANGUAGES) {
      const format = compileFormat(lang)
      expect(format.toString()).not.toContain('intl.format')
    }
  })

  it('falls back to Intl for a language whose pattern it cannot reproduce', () => {
    // Arabic digits are not Latin: the compiled pattern would be wrong, so Intl is used.
    for (const lang of ['ar-EG', 'de', 'ja', 'fr']) {
      for (const at of times(50)) expect(formatAbsoluteTime(lang, at)).toBe(intl(lang, at))
    }
  })
})
