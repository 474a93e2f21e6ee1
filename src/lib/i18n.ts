import en from '../../locales/en.json'
import es from '../../locales/es.json'

/**
 * Message catalogs. `en` is the source of truth: its keys type every `t()` call, so a
 * typo in a key is a compile error. A value is either a string with `{name}` parameters
 * or, for counts, an object of plural forms chosen by `Intl.PluralRules`.
 */
export type MessageKey = keyof typeof en
type PluralForms = Partial<Record<Intl.LDMLPluralRule, string>> & { other: string }
type CatalogValue = string | PluralForms
export type Catalog = Record<MessageKey, CatalogValue>

/**
 * Translations are typed as partial on purpose: a key added to `en` must not break the
 * build while its translations are being written. `npm run i18n:check` (part of
 * `npm test`) is what insists every catalog is complete; until then `t()` falls back to
 * English for a missing key.
 */
export const catalogs: { en: Catalog; es: Partial<Catalog> } = { en, es }

export type Lang = keyof typeof catalogs
export const SUPPORTED_LANGUAGES = Object.keys(catalogs) as Lang[]
export const DEFAULT_LANGUAGE: Lang = 'en'

/**
 * Each language's name in that language (an autonym), for the language switcher. Autonyms
 * are deliberately not in the catalogs: "Español" reads the same on every page.
 */
export const LANGUAGE_NAMES: Record<Lang, string> = { en: 'English', es: 'Español' }

export type Params = Record<string, string | number>
export type Translate = (key: MessageKey, params?: Params) => string

export function isLang(value: unknown): value is Lang {
  return typeof value === 'string' && (SUPPORTED_LANGUAGES as string[]).includes(value)
}

function interpolate(template: string, params: Params | undefined, numbers: Intl.NumberFormat): string {
  if (!params) return template
  const parts = placeholders(template)
  let out = parts[0]!
  for (let i = 1; i < parts.length; i += 2) {
    const name = parts[i]!
    const value = params[name]
    out += value === undefined ? `{${name}}` : typeof value === 'number' ? numbers.format(value) : value
    out += parts[i + 1]!
  }
  return out
}

/**
 * A message split at its `{name}` placeholders once per isolate: text, name, text, …, text.
 * `t('posts.by', { username })` runs for every post of a page, and splitting a message with
 * a regular expression and a callback each time cost more than the rest of `t()`. Keyed by
 * the message text: bounded by the catalogs (every message and plural form of each language).
 */
function placeholders(template: string): string[] {
  let parts = splitMessages.get(template)
  if (!parts) {
    parts = template.split(/\{(\w+)\}/)
    splitMessages.set(template, parts)
  }
  return parts
}

const splitMessages = new Map<string, string[]>()

/**
 * Builds `t(key, params)` for one language; missing keys fall back to English. A value
 * that is not a supported language (say, an old `users.language` read from D1) gets English.
 */
export function createTranslator(requested: Lang): Translate {
  const lang: Lang = isLang(requested) ? requested : DEFAULT_LANGUAGE
  // Every request needs one; building the Intl objects costs more than using them, and a
  // translator is a pure function of its language, so there is one per language per isolate.
  let translate = translators.get(lang)
  if (!translate) {
    translate = buildTranslator(lang)
    translators.set(lang, translate)
  }
  return translate
}

const translators = new Map<Lang, Translate>()

function buildTranslator(lang: Lang): Translate {
  const catalog: Partial<Catalog> = catalogs[lang]
  const fallback: Catalog = catalogs.en
  const plurals = new Intl.PluralRules(lang)
  const numbers = new Intl.NumberFormat(lang)
  return (key, params) => {
    const value = catalog[key] ?? fallback[key]
    if (typeof value === 'string') return interpolate(value, params, numbers)
    const count = Number(params?.count ?? 0)
    const form = value[plurals.select(count)] ?? value.other
    return interpolate(form, params, numbers)
  }
}

/** True if `key` names a catalog entry (used to accept flash keys from a cookie). */
export function isMessageKey(key: string): key is MessageKey {
  return Object.hasOwn(catalogs[DEFAULT_LANGUAGE], key)
}
