import en from '../../locales/en.json'

/**
 * Message catalogs. `en` is the source of truth: its keys type every `t()` call, so a
 * typo in a key is a compile error. A value is either a string with `{name}` parameters
 * or, for counts, an object of plural forms chosen by `Intl.PluralRules`.
 */
export type MessageKey = keyof typeof en
type PluralForms = Partial<Record<Intl.LDMLPluralRule, string>> & { other: string }
type CatalogValue = string | PluralForms
export type Catalog = Record<MessageKey, CatalogValue>

export const catalogs = { en } satisfies Record<string, Catalog>

export type Lang = keyof typeof catalogs
export const SUPPORTED_LANGUAGES = Object.keys(catalogs) as Lang[]
export const DEFAULT_LANGUAGE: Lang = 'en'

export type Params = Record<string, string | number>
export type Translate = (key: MessageKey, params?: Params) => string

export function isLang(value: unknown): value is Lang {
  return typeof value === 'string' && (SUPPORTED_LANGUAGES as string[]).includes(value)
}

function interpolate(template: string, params: Params | undefined, lang: Lang): string {
  if (!params) return template
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name]
    if (value === undefined) return whole
    return typeof value === 'number' ? new Intl.NumberFormat(lang).format(value) : value
  })
}

/** Builds `t(key, params)` for one language; missing keys fall back to English. */
export function createTranslator(lang: Lang): Translate {
  const catalog: Catalog = catalogs[lang]
  const fallback: Catalog = catalogs[DEFAULT_LANGUAGE]
  const plurals = new Intl.PluralRules(lang)
  return (key, params) => {
    const value = catalog[key] ?? fallback[key]
    if (typeof value === 'string') return interpolate(value, params, lang)
    const count = Number(params?.count ?? 0)
    const form = value[plurals.select(count)] ?? value.other
    return interpolate(form, params, lang)
  }
}

/** True if `key` names a catalog entry (used to accept flash keys from a cookie). */
export function isMessageKey(key: string): key is MessageKey {
  return Object.hasOwn(catalogs[DEFAULT_LANGUAGE], key)
}
