import { describe, expect, it } from 'vitest'
import { isSecureParsed, isSecureUrl } from '../../src/middleware/session'

// The session cookie's name and Secure flag come from the request URL on every request; the
// string reading that replaced `new URL` must give the parser's answer for every shape.
const URLS = [
  'https://microblog.example/',
  'https://localhost/explore',
  'http://localhost/',
  'http://localhost',
  'http://localhost:8787/explore?before=1-2',
  'http://localhost?x=1',
  'http://localhost#top',
  'http://127.0.0.1:41234/user/bench',
  'http://[::1]:8787/',
  'http://[::1]/',
  'http://[::2]:8787/',
  'http://localhost.evil.example/',
  'http://127.0.0.1.nip.io/',
  'http://microblog.example/',
  'http://microblog.example:8080/auth/login',
  'http://user@localhost/',
  'http://localhost@evil.example/',
  'http://evil.example/?next=http://localhost/',
  'http://evil.example/localhost',
  'http://LOCALHOST/',
]

describe('isSecureUrl', () => {
  for (const url of URLS) {
    it(`${url} → as the URL parser says`, () => {
      expect(isSecureUrl(url)).toBe(isSecureParsed(url))
    })
  }

  it('plain http on the local host is the only insecure case', () => {
    expect(URLS.filter((url) => !isSecureUrl(url))).toEqual([
      'http://localhost/',
      'http://localhost',
      'http://localhost:8787/explore?before=1-2',
      'http://localhost?x=1',
      'http://localhost#top',
      'http://127.0.0.1:41234/user/bench',
      'http://[::1]:8787/',
      'http://[::1]/',
      'http://user@localhost/',
      'http://LOCALHOST/',
    ])
  })
})
