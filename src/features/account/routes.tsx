import { Hono, type Context } from 'hono'
import type { AppEnv } from '../../env'
import { readForm, validateForm, type FieldErrors } from '../../lib/forms'
import { DEFAULT_LANGUAGE, createTranslator, isLang } from '../../lib/i18n'
import { hashPassword } from '../../lib/password'
import { hitRateLimit, type RateLimitRule } from '../../middleware/rate-limit'
import { inBackground } from '../../middleware/background'
import { setFlash } from '../../middleware/flash'
import { requireUser } from '../../middleware/session'
import { baseUrl } from '../../views/email'
import { renderPasswordChangedEmail } from '../auth/reset/emails'
import { sendEmail, sendEmailWithRetry } from '../email/send'
import { closeLiveSessions } from '../live/notify'
import { getUserByEmail, getUserById } from '../users/queries'
import { changePassword } from './actions'
import { completeEmailChange, createEmailChange, getUsableEmailChange } from './email-change'
import { renderAddressChangedEmail, renderConfirmEmailEmail } from './emails'
import { confirmCurrentPassword, requireRecentLogin } from './reauth'
import { emailChangeSchema, passwordChangeSchema } from './schemas'
import { sessionsRoutes } from './sessions-routes'
import { AccountPage, ConfirmEmailPage, EmailLinkProblemPage } from './views'

/** Settings → Account (email address, password) and Settings → Sessions. */
export const accountRoutes = new Hono<AppEnv>()

accountRoutes.route('/', sessionsRoutes)

/** Links to new addresses per member: nobody can use the site to flood an inbox. */
export const EMAIL_CHANGE_LIMIT: RateLimitRule = { limit: 5, windowMs: 60 * 60 * 1000 }

const ACCOUNT_PAGE = '/settings/account'

function renderAccountPage(
  c: Context<AppEnv>,
  extra: { status?: 422 | 429; emailValue?: string; emailErrors?: FieldErrors; passwordErrors?: FieldErrors } = {},
) {
  const { t } = c.var
  if (extra.status) c.status(extra.status)
  c.header('Cache-Control', 'private, no-store')
  return c.render(
    <AccountPage
      t={t}
      email={c.var.user!.email}
      emailValue={extra.emailValue}
      emailErrors={extra.emailErrors}
      passwordErrors={extra.passwordErrors}
    />,
    { title: t('account.title') },
  )
}

function memberLanguage(language: string | null) {
  const lang = isLang(language) ? language : DEFAULT_LANGUAGE
  return { lang, t: createTranslator(lang) }
}

accountRoutes.get('/settings/account', requireUser, (c) => renderAccountPage(c))

/**
 * A new password: the current one first (always, however recent the login), then the
 * registration rules. Every other session ends (with its live sockets) and every API token
 * goes (a D1 trigger); this browser stays logged in. The member is told by email.
 */
accountRoutes.post('/settings/password', requireUser, async (c) => {
  const { db } = c.var
  const user = c.var.user!
  const session = c.var.session!
  const form = await readForm(c.req)
  const parsed = validateForm(passwordChangeSchema, form)
  if (!parsed.ok) return renderAccountPage(c, { status: 422, passwordErrors: parsed.errors })
  const check = await confirmCurrentPassword(c, parsed.data.current_password)
  if (!check.ok && check.retryAfterSeconds) {
    c.header('Retry-After', String(check.retryAfterSeconds))
    return renderAccountPage(c, { status: 429, passwordErrors: { current_password: 'reauth.tooMany' } })
  }
  if (!check.ok)
    return renderAccountPage(c, { status: 422, passwordErrors: { current_password: 'reauth.wrongPassword' } })

  const now = Date.now()
  const passwordHash = await hashPassword(parsed.data.password)
  const ended = await changePassword(db, { userId: user.id, keepSessionId: session.id, passwordHash }, now)
  await closeLiveSessions(c.env, user.id, ended)
  const origin = baseUrl(c.env, c.req.url)
  await inBackground(c, 'account.email-failed', async () => {
    const rendered = await renderPasswordChangedEmail({
      ...memberLanguage(user.language),
      username: user.username,
      at: now,
      resetLink: `${origin}/auth/reset-password`,
      kept: true,
    })
    await sendEmailWithRetry(c.env, {
      to: [user.email],
      ...rendered,
      idempotencyKey: `password-changed:${user.id}:${now}`,
    })
  })
  setFlash(c, 'account.passwordChanged')
  return c.redirect(ACCOUNT_PAGE, 303)
})

/** Asks for a new address: a single-use link goes there; nothing changes until it is followed. */
accountRoutes.post('/settings/email', requireUser, requireRecentLogin('reauth.forEmail', ACCOUNT_PAGE), async (c) => {
  const { db } = c.var
  const user = c.var.user!
  const form = await readForm(c.req)
  const typed = form.email?.trim()
  const again = (status: 422 | 429, errors: FieldErrors) =>
    renderAccountPage(c, { status, emailValue: typed, emailErrors: errors })
  const parsed = validateForm(emailChangeSchema, form)
  if (!parsed.ok) return again(422, parsed.errors)
  const email = parsed.data.email.toLowerCase()
  if (email === user.email) return again(422, { email: 'account.emailSame' })
  // Registration already says when an address is taken, so saying it here reveals nothing new.
  if (await getUserByEmail(db, email)) return again(422, { email: 'auth.emailTaken' })
  const limit = await hitRateLimit(db, `email-change:user:${user.id}`, EMAIL_CHANGE_LIMIT)
  if (limit.limited) {
    c.header('Retry-After', String(limit.retryAfterSeconds))
    return again(429, { email: 'account.emailTooMany' })
  }

  const token = await createEmailChange(db, user.id, email)
  const origin = baseUrl(c.env, c.req.url)
  await inBackground(c, 'account.email-failed', async () => {
    const rendered = await renderConfirmEmailEmail({
      ...memberLanguage(user.language),
      username: user.username,
      link: `${origin}/auth/confirm-email/${token}`,
    })
    // Sensitive: the link is a live credential; a dead letter must not keep it.
    await sendEmail(c.env, {
      to: [email],
      ...rendered,
      idempotencyKey: `email-confirm:${crypto.randomUUID()}`,
      sensitive: true,
    })
  })
  setFlash(c, 'account.emailSent')
  return c.redirect(ACCOUNT_PAGE, 303)
})

function linkProblem(c: Context<AppEnv>, reason: 'invalid' | 'taken') {
  c.status(reason === 'taken' ? 409 : 410)
  c.header('Cache-Control', 'no-store')
  return c.render(<EmailLinkProblemPage t={c.var.t} reason={reason} />, { title: c.var.t('account.linkProblemTitle') })
}

// The link from the new address's inbox. It needs no login: following it proves the inbox,
// and the request behind it was made by the member with their password.
accountRoutes.get('/auth/confirm-email/:token', async (c) => {
  c.header('Cache-Control', 'no-store')
  const token = c.req.param('token')
  const change = await getUsableEmailChange(c.var.db, token)
  if (!change) return linkProblem(c, 'invalid')
  return c.render(<ConfirmEmailPage t={c.var.t} token={token} email={change.newEmail} />, {
    title: c.var.t('account.confirmTitle'),
  })
})

accountRoutes.post('/auth/confirm-email/:token', async (c) => {
  const { db } = c.var
  const change = await getUsableEmailChange(db, c.req.param('token'))
  if (!change) return linkProblem(c, 'invalid')
  const user = await getUserById(db, change.userId)
  if (!user) return linkProblem(c, 'invalid')
  const now = Date.now()
  const result = await completeEmailChange(db, change, now)
  if (!result.ok) return linkProblem(c, result.reason === 'taken' ? 'taken' : 'invalid')

  // The old address hears of it: if this was not the owner, they learn it at once.
  await inBackground(c, 'account.email-failed', async () => {
    const rendered = await renderAddressChangedEmail({
      ...memberLanguage(user.language),
      username: user.username,
      newEmail: change.newEmail,
      at: now,
    })
    await sendEmailWithRetry(c.env, {
      to: [user.email],
      ...rendered,
      idempotencyKey: `email-changed:${user.id}:${now}`,
    })
  })
  setFlash(c, 'account.emailChanged')
  // The member's own settings if this browser is theirs; otherwise the way in, with the new address.
  return c.redirect(c.var.user?.id === user.id ? ACCOUNT_PAGE : '/auth/login', 303)
})
