import { sha256 } from '@oslojs/crypto/sha2'
import { encodeBase32LowerCaseNoPadding, encodeHexLowerCase } from '@oslojs/encoding'

/**
 * Session and API tokens, as strings (the stored sessions are in middleware/session-store.ts).
 *
 * A session token is `<id>.<secret>`: the id finds the row; only SHA-256(secret) is stored,
 * so a leaked database does not leak usable tokens.
 */

/** 24 random base32 characters (120 bits): the id or the secret of a session or API token. */
export function randomString(): string {
  // 15 random bytes = 120 bits of entropy, 24 base32 characters.
  const bytes = new Uint8Array(15)
  crypto.getRandomValues(bytes)
  return encodeBase32LowerCaseNoPadding(bytes)
}

/** SHA-256 of a token secret, hex: the only form in which secrets are stored. */
export function hashSecret(secret: string): string {
  return encodeHexLowerCase(sha256(new TextEncoder().encode(secret)))
}

/** A session cookie's two halves, once their format is checked. */
export type SessionToken = { id: string; secret: string }

/** Splits a cookie value into id and secret; anything not shaped like our tokens is null. */
export function parseSessionToken(token: string | undefined): SessionToken | null {
  const parts = (token ?? '').split('.')
  if (parts.length !== 2) return null
  const [id, secret] = parts as [string, string]
  if (!/^[a-z2-7]{24}$/.test(id) || !/^[a-z2-7]{24}$/.test(secret)) return null
  return { id, secret }
}

const tokenHashes = new WeakMap<SessionToken, string>()

/**
 * `hashSecret` of a parsed token's secret, once per token: a page's batch compares it in
 * SQL (the member of the session, for the page's own reads) and then again in constant time
 * (`checkSession`).
 * Kept only as long as the token object (the request) lives.
 */
export function tokenHash(token: SessionToken): string {
  let hash = tokenHashes.get(token)
  if (hash === undefined) {
    hash = hashSecret(token.secret)
    tokenHashes.set(token, hash)
  }
  return hash
}
