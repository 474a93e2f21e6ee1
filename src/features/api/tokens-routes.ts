import { createRoute, type OpenAPIHono } from '@hono/zod-openapi'
import { attemptLogin } from '../auth/login-limits'
import { ApiError, errorResponses } from './errors'
import { ipOf, requireToken, type ApiEnv } from './middleware'
import { tokenRequestSchema, tokenSchema } from './schemas'
import { createApiToken, pruneApiTokens, revokeApiToken } from './token-queries'

/** `Authorization: Basic base64(login:password)` → the two parts, or null. */
export function parseBasic(header: string | undefined): { login: string; password: string } | null {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '')
  if (!match) return null
  let decoded: string
  try {
    decoded = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(
      Uint8Array.from(atob(match[1]!), (ch) => ch.charCodeAt(0)),
    )
  } catch {
    return null
  }
  const colon = decoded.indexOf(':')
  if (colon < 1) return null
  const login = decoded.slice(0, colon).trim()
  const password = decoded.slice(colon + 1)
  if (login.length > 254 || password.length === 0 || password.length > 128) return null
  return { login, password }
}

const createToken = createRoute({
  method: 'post',
  path: '/tokens',
  tags: ['Tokens'],
  summary: 'Get a bearer token with HTTP Basic (username or email, and password)',
  description:
    'Lives 1 hour, or 30 days with `{"remember": true}`. Failed attempts count against the ' +
    'same limits as the login form (per IP and per account).',
  security: [{ basic: [] }],
  request: { body: { content: { 'application/json': { schema: tokenRequestSchema } }, required: false } },
  responses: {
    201: { description: 'A new token', content: { 'application/json': { schema: tokenSchema } } },
    ...errorResponses(400, 401, 413, 415, 422),
  },
})

const deleteToken = createRoute({
  method: 'delete',
  path: '/tokens',
  tags: ['Tokens'],
  summary: 'Revoke the token this request presents',
  security: [{ bearer: [] }],
  middleware: [requireToken] as const,
  responses: { 204: { description: 'Revoked' }, ...errorResponses(401) },
})

function unauthorizedBasic(): ApiError {
  // A Basic challenge here: this is the one route that takes a password.
  return new ApiError(401, 'api.error.invalidLogin', { headers: { 'WWW-Authenticate': 'Basic realm="microblog"' } })
}

export function registerTokenRoutes(api: OpenAPIHono<ApiEnv>) {
  api.openapi(createToken, async (c) => {
    const db = c.var.db
    const credentials = parseBasic(c.req.header('Authorization'))
    if (!credentials) throw unauthorizedBasic()
    const body = c.req.valid('json')
    const remember = body.remember === true

    // The login form's limits and checks, shared (login-limits.ts): counted before the
    // password is checked, so parallel guesses get 429, and an unknown name costs a hash too.
    const result = await attemptLogin(db, { login: credentials.login, password: credentials.password, ip: ipOf(c) })
    if (!result.ok && result.reason === 'limited') {
      throw new ApiError(429, 'auth.tooManyAttempts', { headers: { 'Retry-After': String(result.retryAfterSeconds) } })
    }
    if (!result.ok) throw unauthorizedBasic()
    const user = result.user

    const { token, row } = await createApiToken(db, user.id, remember, Date.now(), body.name ?? '')
    await pruneApiTokens(db, user.id)
    c.header('Cache-Control', 'no-store')
    return c.json({ token, expires_at: new Date(row.expiresAt).toISOString() }, 201)
  })

  api.openapi(deleteToken, async (c) => {
    const token = c.var.apiToken!
    await revokeApiToken(c.var.db, token.userId, token.id)
    return c.body(null, 204)
  })
}
