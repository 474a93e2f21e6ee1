import { Hono } from 'hono'
import type { AppEnv } from '../../env'
import { listDevOutboxEmails } from '../../queue/queries'
import { DevMailPage } from './views'

/**
 * Development-only pages. Everything here answers 404 unless `ENVIRONMENT` is
 * "development", so the outbox (which holds reset links) is never served in production.
 */
export const devRoutes = new Hono<AppEnv>()

devRoutes.use(async (c, next) => {
  if (c.env.ENVIRONMENT !== 'development') return c.notFound()
  await next()
})

devRoutes.get('/mail', async (c) => {
  const emails = await listDevOutboxEmails(c.var.db)
  c.header('Cache-Control', 'no-store')
  return c.render(<DevMailPage t={c.var.t} lang={c.var.lang} emails={emails} />, { title: c.var.t('dev.mail.title') })
})
