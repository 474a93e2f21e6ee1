import { sha256 } from '@oslojs/crypto/sha2'
import { encodeBase32LowerCaseNoPadding, encodeHexLowerCase } from '@oslojs/encoding'

/**
 * Tokens sent in emailed links (password reset, email change): 20 random bytes (160 bits) as
 * 32 base32 characters — unguessable and URL-safe. Only SHA-256(token) is stored, so a copy
 * of the database holds no working link; the lookup is by that hash (a primary key), so no
 * secret is compared byte by byte: a timing difference would only tell an attacker about a
 * hash of their own guess.
 */
const TOKEN_RE = /^[a-z2-7]{32}$/

export function createLinkToken(): string {
  const bytes = new Uint8Array(20)
  crypto.getRandomValues(bytes)
  return encodeBase32LowerCaseNoPadding(bytes)
}

export function isWellFormedLinkToken(token: string): boolean {
  return TOKEN_RE.test(token)
}

export function hashLinkToken(token: string): string {
  return encodeHexLowerCase(sha256(new TextEncoder().encode(token)))
}
