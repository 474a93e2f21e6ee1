import type { Db } from '../../db/client'
import type { User } from '../../db/schema'
import { ipBucket } from '../../lib/ip-bucket'
import { DUMMY_PASSWORD_HASH, hashPassword, verifyPassword } from '../../lib/password'
import { clearRateLimit, hitRateLimit, refundRateLimit, type RateLimitRule } from '../../middleware/rate-limit'
import { getUserByLogin, upgradePasswordHash } from '../users/queries'
import { deviceNonce } from './device-cookie'

/**
 * Login limits, shared by every way of logging in (the form, HTTP Basic on the API). Each
 * attempt is counted *before* the password is checked, in one atomic upsert per counter, so
 * 40 parallel guesses cannot all slip past a read-then-count check; a success gives its
 * count back.
 *
 * Two kinds of attempt (OWASP's device cookies, device-cookie.ts):
 * - from a browser that logged in as this member before (a valid device cookie): counted
 *   against that device's own budget only — strangers cannot touch it, so however many
 *   guesses they make, the owner's browser still gets in;
 * - from anywhere else ("untrusted"): counted per address, per (account, address) and per
 *   account. These share the account's lock-out.
 */
export const LOGIN_LIMITS = {
  /** All untrusted attempts from one address (an IPv6 client's whole /64), whatever the account. */
  perIp: { limit: 20, windowMs: 15 * 60 * 1000 },
  /** One account from one address: a stranger's guesses lock out only the stranger. */
  perAccountAndIp: { limit: 10, windowMs: 15 * 60 * 1000 },
  /** One account from everywhere untrusted: stops a guesser spread over many addresses. */
  perAccount: { limit: 100, windowMs: 60 * 60 * 1000 },
  /** One known device: the owner's own typos, never anyone else's. */
  perDevice: { limit: 10, windowMs: 15 * 60 * 1000 },
} satisfies Record<string, RateLimitRule>

export type LoginAttempt = {
  /** The member the identifier names, or null (an unknown name costs the same). */
  user: User | null
  keys: { device: string } | { ip: string; accountAndIp: string; account: string }
}

export type LoginGate = { allowed: true; attempt: LoginAttempt } | { allowed: false; retryAfterSeconds: number }

/** A device cookie as the request sent it, and the key it must be signed with. */
export type DeviceCookie = { secret: string; value: string }

/**
 * Resolves the identifier (username or email) and counts one attempt. With a device cookie
 * signed for that very member, against the device's budget alone. Otherwise against the
 * address, the (account, address) pair and the account: the account is the member's id, so
 * a username and its email share one budget; an unknown identifier gets its own key.
 * Counters are hit in that order and the first one over its limit stops the rest, so a
 * blocked address does not keep eating the account's shared ceiling. Call
 * `recordLoginResult` after checking the password.
 */
export async function checkLoginAttempt(
  db: Db,
  input: { login: string; ip: string; device?: DeviceCookie | null },
): Promise<LoginGate> {
  const login = input.login.trim()
  const user = login ? await getUserByLogin(db, login) : null
  const nonce = user && input.device ? await deviceNonce(input.device, user) : null
  if (nonce) {
    const keys = { device: `login:device:${nonce}` }
    const state = await hitRateLimit(db, keys.device, LOGIN_LIMITS.perDevice)
    if (state.limited) return { allowed: false, retryAfterSeconds: state.retryAfterSeconds }
    return { allowed: true, attempt: { user, keys } }
  }
  const account = user ? `user:${user.id}` : `name:${login.toLowerCase()}`
  const ip = ipBucket(input.ip)
  const keys = {
    ip: `login:ip:${ip}`,
    accountAndIp: `login:account-ip:${account}:${ip}`,
    account: `login:account:${account}`,
  }
  const counters: [string, RateLimitRule][] = [
    [keys.ip, LOGIN_LIMITS.perIp],
    [keys.accountAndIp, LOGIN_LIMITS.perAccountAndIp],
    [keys.account, LOGIN_LIMITS.perAccount],
  ]
  for (const [key, rule] of counters) {
    const state = await hitRateLimit(db, key, rule)
    if (state.limited) return { allowed: false, retryAfterSeconds: state.retryAfterSeconds }
  }
  return { allowed: true, attempt: { user, keys } }
}

/**
 * A failure stays counted. A success from a known device forgets that device's failures
 * (its next cookie has a new nonce anyway). An untrusted success clears the (account,
 * address) failures and gives back the one attempt it cost the address and the account;
 * the account's cross-address ceiling is not reset, or a member logging in would wipe a
 * distributed guesser's progress.
 */
export async function recordLoginResult(db: Db, attempt: LoginAttempt, ok: boolean): Promise<void> {
  if (!ok) return
  const { keys } = attempt
  if ('device' in keys) return clearRateLimit(db, keys.device)
  await Promise.all([
    clearRateLimit(db, keys.accountAndIp),
    refundRateLimit(db, keys.ip),
    refundRateLimit(db, keys.account),
  ])
}

export type LoginResult =
  | { ok: true; user: User }
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'limited'; retryAfterSeconds: number }

/**
 * The whole credential check: count, verify, record. An unknown identifier still runs a
 * hash (against a dummy), so it takes as long as a wrong password. `verify` is injectable
 * for tests that count hash calls.
 */
export async function attemptLogin(
  db: Db,
  input: { login: string; password: string; ip: string; device?: DeviceCookie | null },
  verify: typeof verifyPassword = verifyPassword,
): Promise<LoginResult> {
  const gate = await checkLoginAttempt(db, input)
  if (!gate.allowed) return { ok: false, reason: 'limited', retryAfterSeconds: gate.retryAfterSeconds }
  const { user } = gate.attempt
  const check = await verify(user?.passwordHash ?? DUMMY_PASSWORD_HASH, input.password)
  const ok = user !== null && check.ok
  await recordLoginResult(db, gate.attempt, ok)
  if (!ok || !user) return { ok: false, reason: 'invalid' }
  if (!check.needsRehash) return { ok: true, user }
  // Same password, stronger hash: not a password change (the API tokens stay). The member as
  // they now are: a device cookie issued next is bound to the new hash.
  const passwordHash = await hashPassword(input.password)
  const now = Date.now()
  if (!(await upgradePasswordHash(db, user.id, { checked: user.passwordHash, upgraded: passwordHash }, now))) {
    // The password changed while this login was checking it: the login still stands (the
    // password was right when it was checked), the new password stays.
    return { ok: true, user }
  }
  return { ok: true, user: { ...user, passwordHash, passwordRehashedAt: now } }
}
