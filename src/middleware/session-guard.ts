import { factory } from '../env'
import { HttpError } from '../lib/http-error'

/**
 * Two tabs, two accounts. A page rendered for member A carries A's id in every form it
 * holds; if the browser's session belongs to member B by the time the form is sent (B
 * logged in from another tab), the request is refused with "You signed in as someone else
 * in another tab — reload" and nothing is saved.
 *
 * How a form carries the id — HOW TO USE IT IN A NEW FORM:
 * - plain forms (no JavaScript): put `<SessionGuardField />` (src/views/session-guard.tsx)
 *   inside the `<form>`; it renders `<input type="hidden" name="as_user">` for members;
 * - htmx requests: nothing to do; the layout's `<body data-hx-headers>` adds the
 *   `X-As-User` header to every htmx request of the page.
 * Requests with neither (API clients, old pages, visitors' forms) are not checked, and a
 * visitor's session (logged out meanwhile) is left to `requireUser`.
 */
export const AS_USER_FIELD = 'as_user'
export const AS_USER_HEADER = 'X-As-User'

const SAFE_METHODS = ['GET', 'HEAD', 'OPTIONS']
const FORM_TYPE = /^(application\/x-www-form-urlencoded|multipart\/form-data)\b/i

export const sessionGuard = factory.createMiddleware(async (c, next) => {
  const user = c.get('user')
  if (!user || SAFE_METHODS.includes(c.req.method)) return next()
  let claimed = c.req.header(AS_USER_HEADER)
  if (claimed === undefined && FORM_TYPE.test(c.req.header('content-type') ?? '')) {
    // Hono keeps the parsed body, so the route's own readForm does not read it twice.
    const body = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>)
    const value = body[AS_USER_FIELD]
    if (typeof value === 'string') claimed = value
  }
  if (claimed !== undefined && claimed !== '' && claimed !== String(user.id)) {
    throw new HttpError(409, 'errors.otherAccount')
  }
  await next()
})
