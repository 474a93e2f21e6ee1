import { decodeBase64urlIgnorePadding, encodeBase64urlNoPadding } from '@oslojs/encoding'

/**
 * Tamper-checked values: `<payload>.<mac>`, both base64url. The payload is JSON; the MAC is
 * HMAC-SHA-256 over a `scope` and the payload, so a value edited by hand, or signed for
 * another scope (another search query, another member's password), fails the check. The
 * payload is readable by whoever holds the value: sign, never encrypt, with this.
 */
export async function signValue(secret: string, scope: string, value: unknown): Promise<string> {
  const payload = encodeBase64urlNoPadding(new TextEncoder().encode(JSON.stringify(value)))
  const mac = await hmac(secret, `${scope}\n${payload}`)
  return `${payload}.${encodeBase64urlNoPadding(mac)}`
}

/** The signed value, or null if it is malformed, forged or from another scope. */
export async function verifySignedValue(secret: string, scope: string, signed: string): Promise<unknown> {
  if (signed.length > 512) return null
  const match = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{43})$/.exec(signed)
  if (!match) return null
  const [, payload, macText] = match as unknown as [string, string, string]
  let given: Uint8Array
  try {
    given = decodeBase64urlIgnorePadding(macText)
  } catch {
    return null
  }
  // crypto.subtle.verify compares in constant time: a forger learns nothing from timing.
  const key = await importKey(secret)
  const ok = await crypto.subtle.verify('HMAC', key, given, new TextEncoder().encode(`${scope}\n${payload}`))
  if (!ok) return null
  try {
    return JSON.parse(new TextDecoder().decode(decodeBase64urlIgnorePadding(payload))) as unknown
  } catch {
    return null
  }
}

const keys = new Map<string, Promise<CryptoKey>>()
function importKey(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret)
  if (!key) {
    key = crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
      'sign',
      'verify',
    ])
    keys.set(secret, key)
  }
  return key
}

async function hmac(secret: string, text: string): Promise<Uint8Array> {
  const key = await importKey(secret)
  return new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(text)))
}
