import type { Context, MiddlewareHandler } from 'hono'
import type { RequestIdVariables } from 'hono/request-id'
import { createPrimaryDb, type Db } from '../../db/client'
import type { ApiToken, User } from '../../db/schema'
import type { Bindings } from '../../env'
import { clientIp, ipBucket } from '../../lib/ip-bucket'
import { countRateLimitEvent, type RateLimitRule } from '../../middleware/rate-limit'
import { ApiError } from './errors'
import { validateApiToken } from './token-queries'

export type ApiVariables = RequestIdVariables & { db: Db; user: User | null; apiToken: ApiToken | null }
export type ApiEnv = { Bindings: Bindings; Variables: ApiVariables }

const HOUR = 60 * 60 * 1000
/** Hourly allowances (D1 windows); wrangler vars may change them (the bench lifts them). */
const DEFAULT_HOURLY = { token: 1000, anonymous: 300 }

export function ipOf(c: Context): string {
  return clientIp((name) => c.req.header(name))
}

/**
 * What per-address limits count against: the address, or an IPv6 client's whole /64 —
 * else a client rotating through its 2^64 addresses gets a fresh allowance, and a fresh
 * `rate_limits` row, with every call.
 */
function bucketOf(c: Context): string {
  return ipBucket(ipOf(c))
}

/** The bearer token of the request, or null when there is no `Authorization: Bearer`. */
function bearerOf(c: Context): string | null {
  const header = c.req.header('Authorization') ?? ''
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header)
  return match ? match[1]! : null
}

/**
 * Who is calling: a valid bearer token's member, or nobody. Cookies are never read under
 * /api — a browser's session cannot act here, which is why CSRF does not apply and CORS
 * may be open. A bearer token that is present but wrong is a 401 even on public routes,
 * so a client learns at once that its token died. The token is looked up on the primary,
 * never on a replica: one revoked a moment ago (logout, password change) must not work for
 * as long as a replica lags; the route's own reads stay on the request's session.
 */
export const authenticate: MiddlewareHandler<ApiEnv> = async (c, next) => {
  c.set('user', null)
  c.set('apiToken', null)
  const header = c.req.header('Authorization')
  if (header && !/^Basic\s/i.test(header)) {
    const token = bearerOf(c)
    const found = token ? await validateApiToken(createPrimaryDb(c.env.DB), token) : null
    if (!found) throw new ApiError(401, 'api.error.invalidToken')
    c.set('user', found.user)
    c.set('apiToken', found.token)
  }
  await next()
}

/** Routes that need a member: 401 with `WWW-Authenticate: Bearer` otherwise. */
export const requireToken: MiddlewareHandler<ApiEnv> = async (c, next) => {
  if (!c.var.user) throw new ApiError(401, 'api.error.unauthorized')
  await next()
}

async function burst(limiter: RateLimit | undefined, key: string): Promise<boolean> {
  if (!limiter) return true
  const { success } = await limiter.limit({ key })
  return success
}

/**
 * Rate limits, two layers:
 * - bursts (per IP before authentication, then per token) with the Workers Rate Limiting
 *   binding — no D1 cost; periods of 10 s;
 * - an hourly allowance in D1 (per token, or per IP for anonymous calls), which also gives
 *   the `RateLimit-*` headers every answer carries.
 * Over either → 429 with `Retry-After`.
 */
export const burstPerIp: MiddlewareHandler<ApiEnv> = async (c, next) => {
  if (!(await burst(c.env.API_IP_LIMITER, `ip:${bucketOf(c)}`))) {
    throw new ApiError(429, 'api.error.tooMany', { headers: { 'Retry-After': '10' } })
  }
  await next()
}

export const rateLimit: MiddlewareHandler<ApiEnv> = async (c, next) => {
  const token = c.var.apiToken
  if (token && !(await burst(c.env.API_TOKEN_LIMITER, `token:${token.id}`))) {
    throw new ApiError(429, 'api.error.tooMany', { headers: { 'Retry-After': '10' } })
  }
  const rule: RateLimitRule = token
    ? { limit: Number(c.env.API_HOURLY_LIMIT) || DEFAULT_HOURLY.token, windowMs: HOUR }
    : { limit: Number(c.env.API_ANON_HOURLY_LIMIT) || DEFAULT_HOURLY.anonymous, windowMs: HOUR }
  const key = token ? `api:token:${token.id}` : `api:ip:${bucketOf(c)}`
  const now = Date.now()
  const window = await countRateLimitEvent(c.var.db, key, rule, now)
  const resetSeconds = Math.max(1, Math.ceil((window.resetAt - now) / 1000))
  const headers: Record<string, string> = {
    'RateLimit-Policy': `${rule.limit};w=${rule.windowMs / 1000}`,
    'RateLimit-Limit': String(rule.limit),
    'RateLimit-Remaining': String(Math.max(0, rule.limit - window.count)),
    'RateLimit-Reset': String(resetSeconds),
  }
  if (window.count > rule.limit) {
    throw new ApiError(429, 'api.error.tooMany', { headers: { ...headers, 'Retry-After': String(resetSeconds) } })
  }
  await next()
  for (const [name, value] of Object.entries(headers)) c.res.headers.set(name, value)
}
