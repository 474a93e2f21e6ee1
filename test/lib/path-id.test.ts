import { describe, expect, it } from 'vitest'
import { parsePathId } from '../../src/lib/path-id'

describe('parsePathId', () => {
  it('reads 1–15 digits without a leading zero', () => {
    expect(parsePathId('1')).toBe(1)
    expect(parsePathId('42')).toBe(42)
    expect(parsePathId('999999999999999')).toBe(999_999_999_999_999)
  })

  it('refuses anything else, including what Number() would read', () => {
    for (const raw of [
      undefined,
      '',
      '0',
      '007',
      '-1',
      '+1',
      '1e3',
      '0x10',
      ' 7',
      '7 ',
      '1.0',
      '١٢',
      '9999999999999999',
    ]) {
      expect(parsePathId(raw), String(raw)).toBeNull()
    }
  })
})
