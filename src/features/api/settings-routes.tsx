import { Hono } from 'hono'
import type { AppEnv } from '../../env'
import { setFlash } from '../../middleware/flash'
import { HttpError } from '../../lib/http-error'
import { requireUser } from '../../middleware/session'
import { ApiTokensPage } from './settings-views'
import { listApiTokens, revokeApiToken } from './token-queries'

/** Settings → API tokens: a page of the site (cookie session, CSRF-checked forms). */
export const apiSettingsRoutes = new Hono<AppEnv>()

apiSettingsRoutes.get('/settings/api-tokens', requireUser, async (c) => {
  const { t, lang, db } = c.var
  const tokens = await listApiTokens(db, c.var.user!.id)
  return c.render(<ApiTokensPage t={t} lang={lang} tokens={tokens} />, { title: t('apiTokens.title') })
})

apiSettingsRoutes.post('/settings/api-tokens/:id/revoke', requireUser, async (c) => {
  // Only the member's own tokens: someone else's id is "not found", not a revocation.
  const revoked = await revokeApiToken(c.var.db, c.var.user!.id, c.req.param('id'))
  if (!revoked) throw new HttpError(404, 'apiTokens.notFound')
  setFlash(c, 'apiTokens.revoked')
  return c.redirect('/settings/api-tokens', 303)
})
