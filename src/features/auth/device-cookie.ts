import type { Context } from 'hono'
import { getCookie, setCookie } from 'hono/cookie'
import { z } from 'zod'
import type { User } from '../../db/schema'
import type { AppEnv } from '../../env'
import { randomString } from '../../lib/session-token'
import { signValue, verifySignedValue } from '../../lib/signed-value'
import { isSecureUrl } from '../../middleware/session'

/**
 * Device cookies, OWASP's answer to "anyone can lock a member out by failing their login":
 * a browser that logged in successfully gets a signed cookie naming the member and a random
 * nonce. A later attempt for that member from that browser is counted against the nonce's
 * own budget (login-limits.ts), so strangers' failures, which share the account's lock-out,
 * never reach it — and a stranger cannot get such a cookie without the password.
 *
 * The MAC covers the member's current password hash too: a new password (a reset, a change,
 * a rehash) retires every device cookie of the account, so someone who once knew the old
 * password keeps no private budget to guess the new one with. One cookie per browser: the
 * last member who logged in there (another member on the same browser falls back to the
 * shared budget, as before this scheme).
 */

/** A device stays known for a year after its last successful login. */
export const DEVICE_COOKIE_MAX_AGE_S = 365 * 24 * 60 * 60

const payloadSchema = z.object({ u: z.number().int().positive(), n: z.string().regex(/^[a-z2-7]{24}$/) })

/** What binds a cookie to one member and one password. */
function scope(user: Pick<User, 'id' | 'passwordHash'>): string {
  return `device-cookie\n${user.id}\n${user.passwordHash}`
}

/**
 * The HMAC key. wrangler.toml has a development value; production must set the secret (the
 * deploy refuses without it). Absent, no cookie is issued or trusted: every attempt shares
 * the account's budget, which is safe, only less kind to the owner.
 */
function secretOf(c: Context<AppEnv>): string | null {
  const secret = c.env.DEVICE_COOKIE_SECRET
  return typeof secret === 'string' && secret.length > 0 ? secret : null
}

/** `__Host-` over https (Secure, Path=/, no Domain: a sibling subdomain cannot plant one). */
function cookieName(c: Context): string {
  return isSecureUrl(c.req.url) ? '__Host-device' : 'device'
}

/** The request's device cookie as sent, unchecked (checked against the member later). */
export function readDeviceCookie(c: Context<AppEnv>): { secret: string; value: string } | null {
  const secret = secretOf(c)
  const value = getCookie(c, cookieName(c))
  return secret && value ? { secret, value } : null
}

/**
 * The nonce of a cookie this server signed for this member and their current password, or
 * null for anything else (another member's cookie, an old password's, a forged one).
 */
export async function deviceNonce(
  cookie: { secret: string; value: string },
  user: Pick<User, 'id' | 'passwordHash'>,
): Promise<string | null> {
  const parsed = payloadSchema.safeParse(await verifySignedValue(cookie.secret, scope(user), cookie.value))
  return parsed.success && parsed.data.u === user.id ? parsed.data.n : null
}

/** After a successful login: a fresh cookie (a new nonce, so a new budget) for this member. */
export async function issueDeviceCookie(c: Context<AppEnv>, user: Pick<User, 'id' | 'passwordHash'>): Promise<void> {
  const secret = secretOf(c)
  if (!secret) return
  const value = await signValue(secret, scope(user), { u: user.id, n: randomString() })
  setCookie(c, cookieName(c), value, {
    path: '/',
    httpOnly: true,
    secure: isSecureUrl(c.req.url),
    // Only ever needed by our own login form: no cross-site request carries it.
    sameSite: 'Strict',
    maxAge: DEVICE_COOKIE_MAX_AGE_S,
  })
}
