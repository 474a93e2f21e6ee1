import type { Context } from 'hono'
import type { Session } from '../../db/schema'
import { factory, type AppEnv } from '../../env'
import { readForm } from '../../lib/forms'
import type { MessageKey } from '../../lib/i18n'
import { verifyPassword } from '../../lib/password'
import { hitRateLimit, refundRateLimit, type RateLimitRule } from '../../middleware/rate-limit'
import { toLogin } from '../../middleware/session'
import { AS_USER_FIELD } from '../../middleware/session-guard'
import { markReauthenticated } from './actions'
import { ConfirmPasswordPage } from './views'

/**
 * Re-authentication before sensitive changes (changing the email or the password, creating
 * an API token, logging out everywhere else): a session that was left open on a shared
 * computer, or taken over, must not be enough to lock the owner out. The password must have
 * been typed in this session within the last ten minutes — at login or in the confirm step.
 */
export const RECENT_LOGIN_MS = 10 * 60 * 1000

/** Password attempts in the confirm step and the password form, per member: a login's guard. */
export const REAUTH_LIMIT: RateLimitRule = { limit: 10, windowMs: 15 * 60 * 1000 }

/** The field the confirm step (and the password form) sends the current password in. */
export const CURRENT_PASSWORD_FIELD = 'current_password'

export function isRecentLogin(session: Pick<Session, 'reauthenticatedAt'>, now = Date.now()): boolean {
  return now - session.reauthenticatedAt < RECENT_LOGIN_MS
}

export type PasswordCheck = { ok: true } | { ok: false; retryAfterSeconds?: number }

/**
 * Checks the member's current password, counted before the hash runs (so parallel guesses
 * cannot slip past) and given back when right. A right password marks the session as just
 * re-authenticated.
 */
export async function confirmCurrentPassword(c: Context<AppEnv>, password: string): Promise<PasswordCheck> {
  const { db } = c.var
  const user = c.var.user!
  const session = c.var.session!
  const key = `reauth:user:${user.id}`
  const limit = await hitRateLimit(db, key, REAUTH_LIMIT)
  if (limit.limited) return { ok: false, retryAfterSeconds: limit.retryAfterSeconds }
  if (password.length === 0 || password.length > 128) return { ok: false }
  const check = await verifyPassword(user.passwordHash, password)
  if (!check.ok) return { ok: false }
  const now = Date.now()
  await Promise.all([refundRateLimit(db, key), markReauthenticated(db, session.id, now)])
  session.reauthenticatedAt = now
  return { ok: true }
}

/** Fields carried through the confirm step: never a password, never more than a form's worth. */
function carriedFields(form: Record<string, string>): [string, string][] {
  return Object.entries(form)
    .filter(([name]) => !/password/i.test(name) && name !== AS_USER_FIELD)
    .slice(0, 20)
}

/**
 * Guards a sensitive POST. With a recent password it lets the request through. Otherwise
 * it answers the confirm step (the request's own fields kept in hidden inputs), and when
 * that step comes back with the right password, it marks the session and lets the very
 * same request through. `purpose` says in the member's words what they are confirming.
 */
export function requireRecentLogin(purpose: MessageKey, back: string) {
  return factory.createMiddleware(async (c, next) => {
    const session = c.var.session
    if (!c.var.user || !session) return toLogin(c)
    if (isRecentLogin(session)) return next()
    const { t } = c.var
    const form = await readForm(c.req)
    const step = (status: 200 | 422 | 429, error?: MessageKey) => {
      c.status(status)
      c.header('Cache-Control', 'private, no-store')
      return c.render(
        <ConfirmPasswordPage
          t={t}
          action={c.req.path}
          purpose={purpose}
          fields={carriedFields(form)}
          back={back}
          error={error ? t(error) : undefined}
        />,
        { title: t('reauth.title') },
      )
    }
    const typed = form[CURRENT_PASSWORD_FIELD]
    if (typed === undefined) return step(200)
    const check = await confirmCurrentPassword(c, typed)
    if (check.ok) return next()
    if (check.retryAfterSeconds) {
      c.header('Retry-After', String(check.retryAfterSeconds))
      return step(429, 'reauth.tooMany')
    }
    return step(422, typed === '' ? 'reauth.passwordRequired' : 'reauth.wrongPassword')
  })
}
