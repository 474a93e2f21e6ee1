import { Hono } from 'hono'
import { setCookie } from 'hono/cookie'
import type { AppEnv } from '../../env'
import { setFlash } from '../../middleware/flash'
import { readForm } from '../../lib/forms'
import { HttpError } from '../../lib/http-error'
import { isLang } from '../../lib/i18n'
import { safeNext } from '../../lib/safe-next'
import { LANGUAGE_COOKIE } from '../../middleware/language'
import { saveUserLanguage } from './queries'

export const languageRoutes = new Hono<AppEnv>()

/** A year: the choice should outlive a browser restart, like any site preference. */
const LANGUAGE_COOKIE_MAX_AGE = 365 * 24 * 3600

/**
 * The footer's language switcher: a plain form (works without JavaScript), protected by
 * the app-wide CSRF Origin check like every POST. Visitors keep the choice in a cookie;
 * members also get it saved on their account, so it follows them to other devices and
 * their emails are written in it. Then back to where they were, if that is one of ours.
 */
languageRoutes.post('/language', async (c) => {
  const form = await readForm(c.req)
  const lang = form.lang
  if (!isLang(lang)) throw new HttpError(400, 'language.unsupported')
  setCookie(c, LANGUAGE_COOKIE, lang, {
    path: '/',
    httpOnly: true,
    sameSite: 'Lax',
    secure: new URL(c.req.url).protocol === 'https:',
    maxAge: LANGUAGE_COOKIE_MAX_AGE,
  })
  const user = c.var.user
  if (user) await saveUserLanguage(c.var.db, user.id, lang)
  setFlash(c, 'language.saved')
  return c.redirect(safeNext(form.next), 303)
})
