import { describe, expect, it } from 'vitest'
import { catalogs, createTranslator, isLang, type Lang } from '../../src/lib/i18n'

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
