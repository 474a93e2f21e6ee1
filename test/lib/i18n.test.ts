import { describe, expect, it } from 'vitest'
import { catalogs, createTranslator, isLang, type Lang, type MessageKey } from '../../src/lib/i18n'

describe('createTranslator', () => {
  it('chooses plural forms with Intl.PluralRules and formats numbers for the language', () => {
    const es = createTranslator('es')
    expect(es('profile.posts', { count: 1 })).toBe('1 publicación')
    expect(es('profile.posts', { count: 0 })).toBe('0 publicaciones')
    expect(es('profile.followers', { count: 12345 })).toBe('12.345 seguidores')
    const en = createTranslator('en')
    expect(en('profile.posts', { count: 1 })).toBe('1 post')
    expect(en('profile.followers', { count: 12345 })).toBe('12,345 followers')
  })

  it('fills named parameters and leaves unknown ones visible', () => {
    expect(createTranslator('es')('home.greeting', { username: 'ana' })).toBe('¡Hola, ana!')
    expect(createTranslator('es')('home.greeting')).toBe('¡Hola, {username}!')
  })

  it('fills every message exactly as replacing each {name} with a regular expression does', () => {
    const reference = (template: string, params: Record<string, string | number>, numbers: Intl.NumberFormat) =>
      template.replace(/\{(\w+)\}/g, (whole, name: string) => {
        const value = params[name]
        if (value === undefined) return whole
        return typeof value === 'number' ? numbers.format(value) : value
      })
    let compared = 0
    for (const lang of ['en', 'es'] as const) {
      const t = createTranslator(lang)
      const numbers = new Intl.NumberFormat(lang)
      const plurals = new Intl.PluralRules(lang)
      for (const [key, value] of Object.entries(catalogs[lang])) {
        // Every name the message uses, plus one it does not; `$&` and braces in values stay literal.
        const names = [...JSON.stringify(value).matchAll(/\{(\w+)\}/g)].map((m) => m[1]!)
        for (const count of [0, 1, 2, 1234.5]) {
          const params: Record<string, string | number> = { count, other: 'x' }
          for (const name of names) if (name !== 'count') params[name] = `$& {count} <${name}>`
          const template = typeof value === 'string' ? value : (value[plurals.select(count)] ?? value.other)
          expect(t(key as MessageKey, params)).toBe(reference(template, params, numbers))
          compared++
        }
      }
    }
    expect(compared).toBeGreaterThan(2000)
    expect(createTranslator('en')('home.greeting', { count: 1 })).toBe('Hi, {username}!')
  })

  it('gives English for a language it does not have (say, an old value read from D1)', () => {
    expect(createTranslator('fr' as Lang)('nav.home')).toBe('Home')
  })

  it('returns the same translator for the same language (built once per isolate)', () => {
    expect(createTranslator('es')).toBe(createTranslator('es'))
    expect(createTranslator('es')).not.toBe(createTranslator('en'))
  })

  it('knows exactly the languages that have a catalog', () => {
    expect(Object.keys(catalogs)).toEqual(['en', 'es'])
    expect(isLang('es')).toBe(true)
    expect(isLang('es-ES')).toBe(false)
    expect(isLang('toString')).toBe(false)
  })
})
