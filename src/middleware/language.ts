import { languageDetector } from 'hono/language'
import { factory } from '../env'
import { DEFAULT_LANGUAGE, SUPPORTED_LANGUAGES, createTranslator, isLang } from '../lib/i18n'

export const LANGUAGE_COOKIE = 'lang'

/**
 * Chooses the language: a saved cookie beats Accept-Language, which beats English.
 * (A member's saved choice is applied later, once the session is loaded.)
 */
export const detectLanguage = [
  languageDetector({
    supportedLanguages: [...SUPPORTED_LANGUAGES],
    fallbackLanguage: DEFAULT_LANGUAGE,
    order: ['cookie', 'header'],
    lookupCookie: LANGUAGE_COOKIE,
    caches: false,
  }),
  factory.createMiddleware(async (c, next) => {
    const detected = c.get('language')
    const lang = isLang(detected) ? detected : DEFAULT_LANGUAGE
    c.set('lang', lang)
    c.set('t', createTranslator(lang))
    await next()
    // The final choice (a member's saved language may have replaced it meanwhile).
    if (c.get('lang') && !c.res.headers.has('Content-Language')) c.header('Content-Language', c.get('lang'))
  }),
] as const
