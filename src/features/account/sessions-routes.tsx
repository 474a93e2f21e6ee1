import { Hono, type Context } from 'hono'
import type { AppEnv } from '../../env'
import { readForm, validateForm, type FieldErrors } from '../../lib/forms'
import { HttpError } from '../../lib/http-error'
import { setFlash } from '../../middleware/flash'
import { deleteSessionCookie, requireUser } from '../../middleware/session'
import { createApiToken, listApiTokens, pruneApiTokens, revokeApiToken } from '../api/token-queries'
import { closeLiveSessions } from '../live/notify'
import { revokeOtherSessions, revokeSession } from './actions'
import { listUserSessions } from './queries'
import { requireRecentLogin } from './reauth'
import { newTokenSchema, sessionIdSchema } from './schemas'
import { SessionsPage, TokenCreatedPage, type SessionView } from './sessions-views'

/**
 * Settings → Sessions: the member's signed-in browsers and API tokens, and the ways to end
 * them. Ending a session also closes its live sockets, so a stolen cookie's open page stops
 * hearing anything at once, not at its next request.
 */
export const sessionsRoutes = new Hono<AppEnv>()

const SESSIONS_PAGE = '/settings/sessions'

async function renderSessionsPage(
  c: Context<AppEnv>,
  extra: { status?: 422; tokenValues?: { name?: string; remember?: boolean }; tokenErrors?: FieldErrors } = {},
) {
  const { db, t, lang } = c.var
  const user = c.var.user!
  const current = c.var.session!.id
  const [rows, tokens] = await Promise.all([listUserSessions(db, user.id), listApiTokens(db, user.id)])
  const sessions: SessionView[] = rows.map((row) => ({
    id: row.id,
    browser: row.browser,
    os: row.os,
    country: row.country,
    createdAt: row.createdAt,
    lastUsedAt: row.lastUsedAt,
    current: row.id === current,
  }))
  // This browser is always listed first (and always listed, however many others there are).
  sessions.sort((a, b) => Number(b.current) - Number(a.current))
  if (extra.status) c.status(extra.status)
  c.header('Cache-Control', 'private, no-store')
  return c.render(
    <SessionsPage
      t={t}
      lang={lang}
      sessions={sessions}
      tokens={tokens.map(({ secretHash: _secret, ...token }) => token)}
      tokenValues={extra.tokenValues}
      tokenErrors={extra.tokenErrors}
    />,
    { title: t('sessions.title') },
  )
}

sessionsRoutes.get('/settings/sessions', requireUser, (c) => renderSessionsPage(c))

// Ends one session of the member's (the id comes in the body, not the URL, so it stays out of
// request logs). Someone else's id, or one already gone, is a 404: nothing is revealed.
sessionsRoutes.post('/settings/sessions/revoke', requireUser, async (c) => {
  const { db } = c.var
  const user = c.var.user!
  const id = sessionIdSchema.safeParse((await readForm(c.req)).session)
  if (!id.success) throw new HttpError(400)
  if (!(await revokeSession(db, user.id, id.data))) throw new HttpError(404, 'sessions.notFound')
  await closeLiveSessions(c.env, user.id, [id.data])
  if (id.data === c.var.session?.id) {
    deleteSessionCookie(c)
    setFlash(c, 'auth.loggedOut')
    return c.redirect('/auth/login', 303)
  }
  setFlash(c, 'sessions.revoked')
  return c.redirect(SESSIONS_PAGE, 303)
})

sessionsRoutes.post(
  '/settings/sessions/revoke-others',
  requireUser,
  requireRecentLogin('reauth.forRevokeOthers', SESSIONS_PAGE),
  async (c) => {
    const user = c.var.user!
    const ended = await revokeOtherSessions(c.var.db, user.id, c.var.session!.id)
    await closeLiveSessions(c.env, user.id, ended)
    setFlash(c, 'sessions.revokedOthers')
    return c.redirect(SESSIONS_PAGE, 303)
  },
)

// The page that listed tokens before they joined the sessions page.
sessionsRoutes.get('/settings/api-tokens', (c) => c.redirect(`${SESSIONS_PAGE}#api-tokens`, 301))

// A token made from the site: the name says what it is for; shown once, never again.
sessionsRoutes.post(
  '/settings/api-tokens',
  requireUser,
  requireRecentLogin('reauth.forToken', `${SESSIONS_PAGE}#api-tokens`),
  async (c) => {
    const { db, t, lang } = c.var
    const user = c.var.user!
    const form = await readForm(c.req)
    const remember = form.remember === '1' || form.remember === 'on'
    const parsed = validateForm(newTokenSchema, form)
    if (!parsed.ok) {
      return renderSessionsPage(c, {
        status: 422,
        tokenValues: { name: form.name, remember },
        tokenErrors: parsed.errors,
      })
    }
    const { token, row } = await createApiToken(db, user.id, remember, Date.now(), parsed.data.name)
    await pruneApiTokens(db, user.id)
    // The secret is in this page: no cache, no back-button copy, may keep it.
    c.header('Cache-Control', 'private, no-store')
    return c.render(<TokenCreatedPage t={t} lang={lang} name={row.name} token={token} expiresAt={row.expiresAt} />, {
      title: t('apiTokens.createdTitle', { name: row.name }),
    })
  },
)

sessionsRoutes.post('/settings/api-tokens/:id/revoke', requireUser, async (c) => {
  // Only the member's own tokens: someone else's id is "not found", not a revocation.
  const revoked = await revokeApiToken(c.var.db, c.var.user!.id, c.req.param('id'))
  if (!revoked) throw new HttpError(404, 'apiTokens.notFound')
  setFlash(c, 'apiTokens.revoked')
  return c.redirect(`${SESSIONS_PAGE}#api-tokens`, 303)
})
