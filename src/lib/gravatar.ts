import { createHash } from 'node:crypto'

/**
 * Hashes of recently rendered addresses. A page shows the same few authors many times,
 * and hashing was a measurable part of rendering a timeline; the cache is bounded.
 */
const cache = new Map<string, string>()
const CACHE_LIMIT = 5000

/** Gravatar's hash of an address: SHA-256 of the trimmed, lower-cased email. */
export function gravatarHash(email: string): string {
  const key = email.trim().toLowerCase()
  let hash = cache.get(key)
  if (hash === undefined) {
    hash = createHash('sha256').update(key).digest('hex')
    if (cache.size >= CACHE_LIMIT) cache.clear()
    cache.set(key, hash)
  }
  return hash
}

/** Gravatar image URL with identicon fallback. */
export function avatarUrl(email: string, size: number): string {
  return `https://www.gravatar.com/avatar/${gravatarHash(email)}?d=identicon&s=${size}`
}
