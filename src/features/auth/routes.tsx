import { Hono } from 'hono'
import type { AppEnv } from '../../env'
import { setFlash } from '../../middleware/flash'
import { readForm, validateForm } from '../../lib/forms'
import { HttpError } from '../../lib/http-error'
import { hashPassword } from '../../lib/password'
import { clientIp, ipBucket } from '../../lib/ip-bucket'
import { safeNext } from '../../lib/safe-next'
import { RATE_LIMITS, hitRateLimit } from '../../middleware/rate-limit'
import { deleteSessionCookie, startSession } from '../../middleware/session'
import { invalidateSession } from '../../middleware/session-store'
import { closeLiveSessions } from '../live/notify'
import { createUser } from '../users/queries'
import { issueDeviceCookie, readDeviceCookie } from './device-cookie'
import { attemptLogin } from './login-limits'
import { resetPassword } from './reset/routes'
import { loginSchema, registerSchema } from './schemas'
import { LoginPage, RegisterPage } from './views'

export const auth = new Hono<AppEnv>()

// Password reset: /auth/reset-password and /auth/reset-password/:token.
auth.route('/reset-password', resetPassword)

auth.get('/register', (c) => {
  if (c.var.user) return c.redirect('/', 303)
  return c.render(<RegisterPage t={c.var.t} />, { title: c.var.t('auth.registerTitle') })
})

auth.post('/register', async (c) => {
  const { t, db } = c.var
  const ip = clientIp((name) => c.req.header(name))
  const limit = await hitRateLimit(db, `register:ip:${ipBucket(ip)}`, RATE_LIMITS.registerPerIp)
  if (limit.limited) throw new HttpError(429, 'errors.tooMany.text', limit.retryAfterSeconds)

  const form = await readForm(c.req)
  const values = { username: form.username?.trim(), email: form.email?.trim() }
  const parsed = validateForm(registerSchema, form)
  const again = (errors: Parameters<typeof RegisterPage>[0]['errors']) => {
    c.status(422)
    return c.render(<RegisterPage t={t} values={values} errors={errors} />, { title: t('auth.registerTitle') })
  }
  if (!parsed.ok) return again(parsed.errors)

  const { username, email, password } = parsed.data
  const created = await createUser(db, {
    username,
    email: email.toLowerCase(),
    passwordHash: await hashPassword(password),
    language: c.var.lang,
  })
  if (!created.ok) {
    return again(created.taken === 'email' ? { email: 'auth.emailTaken' } : { username: 'auth.usernameTaken' })
  }

  await startSession(c, created.user.id, false)
  setFlash(c, 'auth.welcome')
  return c.redirect('/', 303)
})

auth.get('/login', (c) => {
  const next = safeNext(c.req.query('next'))
  if (c.get('user')) return c.redirect(next, 303)
  const t = c.get('t')
  return c.render(<LoginPage t={t} next={next} />, { title: t('auth.loginTitle') })
})

auth.post('/login', async (c) => {
  const { t, db } = c.var
  const form = await readForm(c.req)
  const next = safeNext(form.next)
  const ip = clientIp((name) => c.req.header(name))
  const login = (form.login ?? '').trim()
  const remember = form.remember === '1' || form.remember === 'on'
  const again = (error: string, status: 422 | 429 = 422) => {
    c.status(status)
    return c.render(<LoginPage t={t} next={next} login={login} remember={remember} error={error} />, {
      title: t('auth.loginTitle'),
    })
  }

  const parsed = validateForm(loginSchema, form)
  if (!parsed.ok) return again(t(parsed.errors.login ?? parsed.errors.password ?? 'auth.invalidLogin'))

  // Counted before the password is checked (see login-limits.ts): parallel guesses get 429.
  // A browser that logged in as this member before has a budget of its own (device cookie).
  const result = await attemptLogin(db, {
    login: parsed.data.login,
    password: parsed.data.password,
    ip,
    device: readDeviceCookie(c),
  })
  if (!result.ok && result.reason === 'limited') {
    c.header('Retry-After', String(result.retryAfterSeconds))
    return again(t('auth.tooManyAttempts'), 429)
  }
  if (!result.ok) return again(t('auth.invalidLogin'))
  const { user } = result

  // A fresh session every login: an id planted before login is never promoted. The old
  // session's live sockets end with it (a copy of its cookie elsewhere included).
  const replaced = c.var.session
  if (replaced) {
    await invalidateSession(db, replaced.id)
    await closeLiveSessions(c.env, replaced.userId, [replaced.id])
  }
  await startSession(c, user.id, remember)
  await issueDeviceCookie(c, user)
  return c.redirect(next, 303)
})

auth.post('/logout', async (c) => {
  const session = c.var.session
  if (session) {
    await invalidateSession(c.var.db, session.id)
    // Its live sockets close now: one opened with a stolen copy of the cookie gets nothing more.
    await closeLiveSessions(c.env, session.userId, [session.id])
  }
  deleteSessionCookie(c)
  setFlash(c, 'auth.loggedOut')
  return c.redirect('/auth/login', 303)
})

// Logging out is POST only; a GET (a link, a prefetch, an <img>) must not end a session.
auth.get('/logout', (c) => c.redirect('/', 303))
