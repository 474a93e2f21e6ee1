/**
 * Returns `raw` if it is a same-origin path, otherwise `/`.
 *
 * Accepted: a path that starts with exactly one `/`. Refused: anything with a scheme,
 * a second leading slash (protocol-relative `//evil.com`), a backslash (browsers treat
 * `/\evil.com` like `//evil.com`), control characters, or any of those hidden behind
 * percent-encoding (`/%2F%2Fevil.com`), since some servers and proxies decode paths again.
 */
export function safeNext(raw: string | null | undefined): string {
  if (!raw || raw.length > 2048) return '/'
  let candidate = raw
  // Decode a few times so double-encoded tricks are seen for what they are.
  for (let i = 0; i < 3; i++) {
    if (!isPlainPath(candidate)) return '/'
    let decoded: string
    try {
      decoded = decodeURIComponent(candidate)
    } catch {
      return '/'
    }
    if (decoded === candidate) break
    candidate = decoded
  }
  if (!isPlainPath(candidate)) return '/'
  // Last line: the URL parser must agree the target stays on our origin.
  const base = 'http://microblog.invalid'
  try {
    const url = new URL(raw, base)
    if (url.origin !== base) return '/'
  } catch {
    return '/'
  }
  return raw
}

function isPlainPath(value: string): boolean {
  if (!value.startsWith('/')) return false
  if (value.startsWith('//')) return false
  if (value.includes('\\')) return false
  if (value.includes('//')) return false
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value)) return false
  return true
}
