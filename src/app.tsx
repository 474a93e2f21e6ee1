import { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { csrf } from 'hono/csrf'
import { HTTPException } from 'hono/http-exception'
import { secureHeaders } from 'hono/secure-headers'
import type { AppEnv } from './env'
import { accountRoutes } from './features/account/routes'
import { auth } from './features/auth/routes'
import { dataRoutes } from './features/data/routes'
import { followsRoutes } from './features/follows/routes'
import { languageRoutes } from './features/language/routes'
import { liveRoutes } from './features/live/routes'
import { messagesRoutes } from './features/messages/routes'
import { postsRoutes } from './features/posts/routes'
import { searchRoutes } from './features/search/routes'
import { translateRoutes } from './features/translate/routes'
import { usersRoutes } from './features/users/routes'
import { devRoutes } from './features/dev/routes'
import { apiApp } from './features/api/app'
import { takeFlash } from './middleware/flash'
import { isHtmx } from './middleware/htmx'
import { HttpError } from './lib/http-error'
import { createTranslator, DEFAULT_LANGUAGE } from './lib/i18n'
import { cacheControl } from './middleware/cache-control'
import { detectLanguage } from './middleware/language'
import { methodNotAllowed } from './middleware/method-not-allowed'
import { requestId } from './middleware/request-id'
import { requireSecrets } from './middleware/required-secrets'
import { withDb } from './middleware/db'
import { edgeCache } from './middleware/edge-cache'
import { loadSession, withSessionBatch } from './middleware/session'
import { sessionGuard } from './middleware/session-guard'
import { reportUnexpectedError } from './features/email/admin-alerts'
import { ErrorFragment, ErrorPage, errorTitle, type ErrorStatus } from './views/errors'
import { renderer } from './views/layout'
import { NavSearch } from './features/search/views'
import { UnreadBadge } from './features/messages/views'

/** The page shell, with what the areas show in it: the nav's search and unread badge. */
const siteRenderer = renderer({ NavSearch, UnreadBadge })

export function createApp() {
  const app = new Hono<AppEnv>()

  // Our own id, never the client's X-Request-Id (see middleware/request-id.ts).
  app.use(requestId)
  // Wraps everything after it, error pages included: the one caching rule.
  app.use(cacheControl)
  app.use(
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'https://www.gravatar.com', 'data:'],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'self'"],
        objectSrc: ["'none'"],
      },
      referrerPolicy: 'same-origin',
      // A handler may set its own (the /dev/mail email frame has its own CSP).
      overwrite: false,
    }),
  )
  // The REST API is mounted before the site's middleware: it reads no cookies (so CSRF does
  // not apply), answers only JSON (its own 404/405/413/415/500) and has its own limits.
  app.route('/', apiApp)
  // A required secret missing fails every page (the API checks for itself, answering JSON).
  app.use(requireSecrets)
  // Language first (it only reads a cookie and a header) so that even a CSRF refusal is
  // answered in the reader's language.
  app.use(...detectLanguage)
  // Origin / Sec-Fetch-Site check on every unsafe form request. Cookie-authenticated
  // routes accept only form bodies (below), so no state change escapes this check.
  app.use(csrf())
  app.use(async (c, next) => {
    const unsafe = !['GET', 'HEAD', 'OPTIONS'].includes(c.req.method)
    const type = c.req.header('content-type') ?? ''
    const formLike = /^(application\/x-www-form-urlencoded|multipart\/form-data)\b/i.test(type)
    if (unsafe && type !== '' && !formLike && !c.req.path.startsWith('/api/'))
      throw new HttpError(415, 'errors.unsupportedType')
    await next()
  })
  app.use(
    bodyLimit({
      maxSize: 64 * 1024,
      onError: () => {
        throw new HttpError(413)
      },
    }),
  )
  // Visitors' explore, profile, post and popup pages from the edge cache: before the database,
  // so a hit costs no D1 query. It needs the negotiated language (its key) from above.
  app.use(edgeCache)
  app.use(withDb)
  app.use(loadSession)
  // After the session: refuse forms from a page rendered for another account (two tabs).
  app.use(sessionGuard)
  app.use(async (c, next) => {
    c.set('flash', c.req.method === 'GET' && !isHtmx(c) ? takeFlash(c) : null)
    await next()
  })
  app.use(siteRenderer)

  app.get('/healthz', (c) => c.text('ok'))
  app.route('/auth', auth)
  app.route('/', postsRoutes)
  app.route('/', usersRoutes)
  app.route('/', followsRoutes)
  app.route('/dev', devRoutes)
  app.route('/', languageRoutes)
  app.route('/', translateRoutes)
  app.route('/', messagesRoutes)
  app.route('/', liveRoutes)
  app.route('/', dataRoutes)
  app.route('/', accountRoutes)
  app.route('/', searchRoutes)

  // A path that exists with another method is 405 with `Allow` (RFC 9110), not 404.
  app.notFound((c) => {
    // (Paths under /api never get here: the API answers its own, as JSON.)
    const allowed = methodNotAllowed(app, c.req.method, c.req.path)
    if (!allowed) return renderError(c, 404)
    c.header('Allow', allowed.join(', '))
    return renderError(c, 405)
  })

  app.onError((error, c) => {
    if (error instanceof HTTPException) {
      const status = (error.status >= 400 && error.status < 500 ? error.status : 400) as ErrorStatus
      const key = error instanceof HttpError ? error.messageKey : undefined
      if (error instanceof HttpError && error.retryAfterSeconds) {
        c.header('Retry-After', String(error.retryAfterSeconds))
      }
      return renderError(c, status, key ? tOf(c)(key) : undefined)
    }
    // A log line, and one email to ADMINS per distinct error per 10 minutes.
    reportUnexpectedError(c, error)
    return renderError(c, 500)
  })

  return app
}

type Ctx = Parameters<Parameters<Hono<AppEnv>['notFound']>[0]>[0]

function tOf(c: Ctx) {
  return c.var.t ?? createTranslator(DEFAULT_LANGUAGE)
}

/**
 * Error answers: a page in the site layout, or a one-line fragment for htmx. Errors can
 * happen before the middleware that sets the language or user ran, hence the fallbacks.
 */
async function renderError(c: Ctx, status: ErrorStatus, message?: string) {
  // A page that failed before its session batch still answers in the member's language,
  // with their navigation.
  if (c.var.pendingSession) await withSessionBatch(c, () => []).catch(() => c.set('pendingSession', null))
  const t = tOf(c)
  c.status(status)
  if (isHtmx(c)) return c.html(<ErrorFragment status={status} t={t} message={message} />)
  if (!c.var.t) c.set('t', t)
  if (!c.var.lang) c.set('lang', DEFAULT_LANGUAGE)
  if (c.var.user === undefined) c.set('user', null)
  if (c.var.flash === undefined) c.set('flash', null)
  const requestIdValue = status === 500 ? c.var.requestId : undefined
  const page = <ErrorPage status={status} t={t} message={message} requestId={requestIdValue} />
  // The error may come from middleware that runs before the renderer (CSRF, body limit):
  // install the layout renderer here too, so every error page has the site's layout.
  await siteRenderer(c, async () => {})
  return c.render(page, { title: errorTitle(t, status) })
}
