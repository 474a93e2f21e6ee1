import { describe, expect, it } from 'vitest'
import { safeNext } from '../../src/lib/safe-next'

describe('safeNext', () => {
  const vectors = [
    'https://evil.com',
    '//evil.com',
    '///evil.com',
    '/\\evil.com',
    '\\\\evil.com',
    'javascript:alert(1)',
    '/%2F%2Fevil.com',
    '/%2f%2fevil.com',
    '/%5Cevil.com',
    '%2F%2Fevil.com',
    'http:/evil.com',
    '/%252F%252Fevil.com',
    ' //evil.com',
    '/\tevil',
    '',
    null,
    undefined,
  ]
  for (const vector of vectors) {
    it(`sends ${JSON.stringify(vector)} to /`, () => {
      expect(safeNext(vector)).toBe('/')
    })
  }

  for (const good of ['/', '/explore', '/user/susan?before=1-2', '/settings/profile#top']) {
    it(`keeps ${good}`, () => {
      expect(safeNext(good)).toBe(good)
    })
  }
})
