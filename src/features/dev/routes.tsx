import { Hono } from 'hono'
import type { AppEnv } from '../../env'
import { getDevOutboxEmail, listDevOutboxEmails } from '../email/queries'
import { DevMailPage } from './views'

/** Host names that only this machine can reach. */
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]'])

/**
 * The policy of one email's HTML, shown in /dev/mail's frame: its inline styles apply (the
 * site's own CSP allows only its stylesheet), nothing else loads or runs, and it is
 * sandboxed even when opened on its own. Only this site may frame it.
 */
export const EMAIL_FRAME_CSP = [
  "default-src 'none'",
  "style-src 'unsafe-inline'",
  'img-src data:',
  "frame-ancestors 'self'",
  'sandbox',
].join('; ')

/**
 * Development-only pages. Everything here answers 404 unless `ENVIRONMENT` is
 * "development" *and* the request came to a loopback host, so the outbox (which holds
 * reset links) is not served by a deploy that forgot `--env production` either.
 */
export const devRoutes = new Hono<AppEnv>()

devRoutes.use(async (c, next) => {
  const host = new URL(c.req.url).hostname
  if (c.env.ENVIRONMENT !== 'development' || !LOOPBACK_HOSTS.has(host)) return c.notFound()
  await next()
})

devRoutes.get('/mail', async (c) => {
  const emails = await listDevOutboxEmails(c.var.db)
  c.header('Cache-Control', 'no-store')
  return c.render(<DevMailPage t={c.var.t} lang={c.var.lang} emails={emails} />, { title: c.var.t('dev.mail.title') })
})

devRoutes.get('/mail/:id{[0-9]+}/html', async (c) => {
  const email = await getDevOutboxEmail(c.var.db, Number(c.req.param('id')))
  if (!email) return c.notFound()
  // The app-wide secureHeaders keeps headers a handler set (overwrite: false).
  c.header('Content-Security-Policy', EMAIL_FRAME_CSP)
  c.header('X-Frame-Options', 'SAMEORIGIN')
  c.header('Cache-Control', 'no-store')
  return c.html(email.html)
})
