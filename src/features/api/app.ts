import { OpenAPIHono } from '@hono/zod-openapi'
import { bodyLimit } from 'hono/body-limit'
import { cors } from 'hono/cors'
import { isMessageKey, type MessageKey } from '../../lib/i18n'
import { withApiDb } from '../../middleware/db'
import { methodNotAllowed } from '../../middleware/method-not-allowed'
import { requireSecrets } from '../../middleware/required-secrets'
import { reportUnexpectedError } from '../email/admin-alerts'
import { docsRoutes } from './docs'
import { ApiError, errorResponse, knownErrorResponse } from './errors'
import { authenticate, burstPerIp, rateLimit, type ApiEnv } from './middleware'
import { registerGraphRoutes } from './graph-routes'
import { registerMessageRoutes } from './messages-routes'
import { registerPostRoutes } from './posts-routes'
import { registerSearchRoutes } from './search-routes'
import { registerTokenRoutes } from './tokens-routes'
import { registerUserRoutes } from './users-routes'

/**
 * The REST API under /api: JSON only, bearer tokens, OpenAPI 3.1 generated from
 * the zod schemas that validate the requests. Its own middleware, errors and 404/405: it is
 * mounted before the site's cookie, CSRF and HTML-error middleware (see app.tsx).
 */
export const apiApp = new OpenAPIHono<ApiEnv>({
  // Invalid input: 422 with per-field messages for bodies, 400 for path and query values.
  defaultHook: (result, c) => {
    if (result.success) return
    const fields: Record<string, MessageKey> = {}
    for (const issue of result.error.issues) {
      const name = String(issue.path[0] ?? '_')
      if (!fields[name]) fields[name] = isMessageKey(issue.message) ? issue.message : 'forms.invalid'
    }
    return result.target === 'json'
      ? errorResponse(c, 422, undefined, fields)
      : errorResponse(c, 400, undefined, fields)
  },
}).basePath('/api')

// A required secret missing fails every call, loudly (middleware/required-secrets.ts).
apiApp.use(requireSecrets)
apiApp.use(
  cors({
    origin: '*',
    allowMethods: ['GET', 'POST', 'PUT', 'DELETE'],
    allowHeaders: ['Authorization', 'Content-Type', 'Accept-Language', 'X-D1-Bookmark', 'Idempotency-Key'],
    exposeHeaders: [
      'RateLimit-Policy',
      'RateLimit-Limit',
      'RateLimit-Remaining',
      'RateLimit-Reset',
      'Retry-After',
      'WWW-Authenticate',
      'Allow',
      'X-D1-Bookmark',
      'Location',
      'Idempotent-Replayed',
    ],
    maxAge: 600,
  }),
)
apiApp.use(async (c, next) => {
  await next()
  // Never cached by a shared cache: answers depend on the bearer token.
  if (!c.res.headers.has('Cache-Control')) c.header('Cache-Control', 'no-store')
  c.header('Vary', 'Authorization, Accept-Language', { append: true })
})
apiApp.use(
  bodyLimit({
    maxSize: 64 * 1024,
    onError: () => {
      throw new ApiError(413)
    },
  }),
)
apiApp.use(withApiDb)
apiApp.use(burstPerIp)
apiApp.use(authenticate)
apiApp.use(rateLimit)

apiApp.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
  type: 'http',
  scheme: 'bearer',
  description: 'A token from `POST /api/tokens`.',
})
apiApp.openAPIRegistry.registerComponent('securitySchemes', 'basic', {
  type: 'http',
  scheme: 'basic',
  description: 'Username (or email) and password; only for `POST /api/tokens`.',
})

registerTokenRoutes(apiApp)
registerUserRoutes(apiApp)
registerGraphRoutes(apiApp)
registerPostRoutes(apiApp)
registerMessageRoutes(apiApp)
registerSearchRoutes(apiApp)

export const OPENAPI_CONFIG = {
  openapi: '3.1.0' as const,
  info: {
    title: 'Microblog API',
    version: '1.0.0',
    description:
      'JSON over HTTPS. Get a token with `POST /api/tokens` (HTTP Basic), then send ' +
      '`Authorization: Bearer <token>`. Lists are keyset-paginated: follow `_links.next`. ' +
      'Read-your-writes: every answer carries `X-D1-Bookmark`; send it back in the ' +
      '`X-D1-Bookmark` request header and the next request reads data at least that new ' +
      '(without it, reads may come from a database replica a moment behind).',
  },
}

apiApp.doc31('/openapi.json', OPENAPI_CONFIG)
apiApp.route('/', docsRoutes)

// Unknown paths → 404, known paths with another method → 405 with `Allow`, as on the site
// (OPTIONS is answered everywhere: the CORS preflight). JSON either way.
apiApp.all('/*', (c) => {
  const allowed = methodNotAllowed(apiApp, c.req.method, c.req.path, ['OPTIONS'])
  if (!allowed) return errorResponse(c, 404)
  c.header('Allow', allowed.join(', '))
  return errorResponse(c, 405)
})

apiApp.onError((error, c) => {
  const known = knownErrorResponse(c, error)
  if (known) return known
  // As for pages: a log line, and one alert per distinct error per 10 minutes.
  reportUnexpectedError(c, error)
  return errorResponse(c, 500)
})
