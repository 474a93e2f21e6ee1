import { Hono, type Context } from 'hono'
import type { AppEnv } from '../../../env'
import { setFlash } from '../../../middleware/flash'
import { readForm, validateForm } from '../../../lib/forms'
import { DEFAULT_LANGUAGE, createTranslator, isLang } from '../../../lib/i18n'
import { hashPassword } from '../../../lib/password'
import { clientIp, ipBucket } from '../../../lib/ip-bucket'
import { hitRateLimit, type RateLimitRule } from '../../../middleware/rate-limit'
import { inBackground } from '../../../middleware/background'
import { deleteSessionCookie } from '../../../middleware/session'
import { sendEmail, sendEmailWithRetry } from '../../email/send'
import { closeLiveSessions } from '../../live/notify'
import { baseUrl } from '../../../views/email'
import { getUserByEmail, getUserById } from '../../users/queries'
import { renderPasswordChangedEmail, renderResetEmail } from './emails'
import { completePasswordReset, createResetToken, getUsableResetToken } from './queries'
import { newPasswordSchema, resetRequestSchema } from './schemas'
import { NewPasswordPage, ResetLinkInvalidPage, ResetRequestPage, ResetSentPage } from './views'

/**
 * Reset requests are limited per IP (one client spraying addresses) and per address (one
 * inbox flooded with emails). Both count known and unknown addresses alike, so a 429 says
 * nothing about who has an account.
 */
export const RESET_LIMITS = {
  perIp: { limit: 20, windowMs: 60 * 60 * 1000 },
  perAddress: { limit: 5, windowMs: 60 * 60 * 1000 },
} satisfies Record<string, RateLimitRule>

export const resetPassword = new Hono<AppEnv>()

function noStore(c: Context<AppEnv>) {
  // Pages reached through a secret link must not be kept by caches or the back button.
  c.header('Cache-Control', 'no-store')
}

resetPassword.get('/', (c) => c.render(<ResetRequestPage t={c.var.t} />, { title: c.var.t('reset.requestTitle') }))

resetPassword.post('/', async (c) => {
  const { t, db } = c.var
  const form = await readForm(c.req)
  const typed = form.email?.trim()
  const page = (props: Parameters<typeof ResetRequestPage>[0]) =>
    c.render(<ResetRequestPage {...props} />, { title: t('reset.requestTitle') })
  const tooMany = (retryAfterSeconds: number) => {
    c.header('Retry-After', String(retryAfterSeconds))
    c.status(429)
    return page({ t, email: typed, error: t('reset.tooMany') })
  }

  const ip = clientIp((name) => c.req.header(name))
  const perIp = await hitRateLimit(db, `reset:ip:${ipBucket(ip)}`, RESET_LIMITS.perIp)
  if (perIp.limited) return tooMany(perIp.retryAfterSeconds)

  const parsed = validateForm(resetRequestSchema, form)
  if (!parsed.ok) {
    c.status(422)
    return page({ t, email: typed, errors: parsed.errors })
  }
  const email = parsed.data.email.toLowerCase()
  const perAddress = await hitRateLimit(db, `reset:address:${email}`, RESET_LIMITS.perAddress)
  if (perAddress.limited) return tooMany(perAddress.retryAfterSeconds)

  const origin = baseUrl(c.env, c.req.url)
  await inBackground(c, 'reset.background-failed', async () => {
    const user = await getUserByEmail(db, email)
    if (!user) return
    const token = await createResetToken(db, user.id)
    const lang = isLang(user.language) ? user.language : DEFAULT_LANGUAGE
    const rendered = await renderResetEmail({
      t: createTranslator(lang),
      lang,
      username: user.username,
      link: `${origin}/auth/reset-password/${token}`,
    })
    // Sensitive: the link is a live credential; a dead letter must not keep it.
    await sendEmail(c.env, {
      to: [user.email],
      ...rendered,
      idempotencyKey: `reset:${crypto.randomUUID()}`,
      sensitive: true,
    })
  })
  return c.render(<ResetSentPage t={t} />, { title: t('reset.sentTitle') })
})

function invalidLink(c: Context<AppEnv>) {
  c.status(410)
  return c.render(<ResetLinkInvalidPage t={c.var.t} />, { title: c.var.t('reset.invalidTitle') })
}

resetPassword.get('/:token', async (c) => {
  noStore(c)
  const token = c.req.param('token')
  // Looking is harmless (mail scanners open links): only the POST below uses the token.
  if (!(await getUsableResetToken(c.var.db, token))) return invalidLink(c)
  return c.render(<NewPasswordPage t={c.var.t} token={token} />, { title: c.var.t('reset.newTitle') })
})

resetPassword.post('/:token', async (c) => {
  noStore(c)
  const { t, db } = c.var
  const token = c.req.param('token')
  const row = await getUsableResetToken(db, token)
  if (!row) return invalidLink(c)

  const parsed = validateForm(newPasswordSchema, await readForm(c.req))
  if (!parsed.ok) {
    c.status(422)
    return c.render(<NewPasswordPage t={t} token={token} errors={parsed.errors} />, { title: t('reset.newTitle') })
  }

  const passwordHash = await hashPassword(parsed.data.password)
  const now = Date.now()
  if (!(await completePasswordReset(db, { token, userId: row.userId, passwordHash }, now))) return invalidLink(c)

  // Every session of the user is gone, this browser's included if it had one, and so are
  // their live sockets: whoever held a session learns nothing more.
  await closeLiveSessions(c.env, row.userId, 'all')
  if (c.var.session?.userId === row.userId) deleteSessionCookie(c)

  const user = await getUserById(db, row.userId)
  if (user) {
    const origin = baseUrl(c.env, c.req.url)
    // After the answer, and retried if the queue refuses: the member must hear of a changed
    // password even through a brief queue outage. The same key each try, so a send that did
    // go through but reported an error is delivered once.
    await inBackground(c, 'reset.background-failed', async () => {
      const lang = isLang(user.language) ? user.language : DEFAULT_LANGUAGE
      const rendered = await renderPasswordChangedEmail({
        t: createTranslator(lang),
        lang,
        username: user.username,
        at: now,
        resetLink: `${origin}/auth/reset-password`,
      })
      await sendEmailWithRetry(c.env, {
        to: [user.email],
        ...rendered,
        idempotencyKey: `password-changed:${user.id}:${now}`,
      })
    })
  }
  setFlash(c, 'reset.done')
  return c.redirect('/auth/login', 303)
})
