import { createHash } from 'node:crypto'

/** Gravatar's hash of an address: SHA-256 of the trimmed, lower-cased email. */
export function gravatarHash(email: string): string {
  return createHash('sha256').update(email.trim().toLowerCase()).digest('hex')
}

/** Gravatar image URL with identicon fallback. */
export function avatarUrl(email: string, size: number): string {
  return `https://www.gravatar.com/avatar/${gravatarHash(email)}?d=identicon&s=${size}`
}
