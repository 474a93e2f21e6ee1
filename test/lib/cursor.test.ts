import { describe, expect, it } from 'vitest'
import { encodeCursor, parseCursor, toPage, PAGE_SIZE } from '../../src/lib/cursor'

describe('cursor', () => {
  it('round-trips', () => {
    const cursor = { createdAt: 1732435200000, id: 42 }
    expect(parseCursor(encodeCursor(cursor))).toEqual({ ok: true, cursor })
  })

  it('treats an absent cursor as the first page', () => {
    expect(parseCursor(undefined)).toEqual({ ok: true, cursor: null })
    expect(parseCursor('')).toEqual({ ok: true, cursor: null })
  })

  for (const bad of ['abc', '1-', '-1', '1-2-3', '1.5-2', "1-2' OR 1=1", '9'.repeat(20) + '-1', '１-２']) {
    it(`rejects ${JSON.stringify(bad)}`, () => {
      expect(parseCursor(bad)).toEqual({ ok: false })
    })
  }

  it('uses the extra row only to know there is a next page', () => {
    const rows = Array.from({ length: PAGE_SIZE + 1 }, (_, i) => ({ createdAt: 1000 - i, id: i }))
    const page = toPage(rows, (r) => r)
    expect(page.items).toHaveLength(PAGE_SIZE)
    expect(page.next).toBe(encodeCursor(rows[PAGE_SIZE - 1]!))
    expect(toPage(rows.slice(0, 3), (r) => r).next).toBeNull()
  })
})
