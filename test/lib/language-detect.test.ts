import { describe, expect, it } from 'vitest'
import { detectPostLanguage } from '../../src/lib/language-detect'

describe('detectPostLanguage', () => {
  it('tells a Spanish sentence from an English one (about 15 words each)', () => {
    expect(
      detectPostLanguage(
        'Hoy fui al mercado con mi hermana y compramos frutas frescas para preparar una cena deliciosa',
      ),
    ).toBe('es')
    expect(
      detectPostLanguage('Today I went to the market with my sister and we bought fresh fruit for a delicious dinner'),
    ).toBe('en')
  })

  it('returns ISO 639-1 codes for other languages too', () => {
    expect(
      detectPostLanguage('Ich bin mit meiner Schwester auf den Markt gegangen und wir haben frisches Obst gekauft'),
    ).toBe('de')
    expect(detectPostLanguage('Je suis allé au marché avec ma sœur et nous avons acheté des fruits frais')).toBe('fr')
    expect(detectPostLanguage('今天天气很好，我们去公园散步吧')).toBe('zh')
  })

  it('calls a two-word post unknown', () => {
    expect(detectPostLanguage('Hola amigos')).toBeNull()
    expect(detectPostLanguage('hello world')).toBeNull()
  })

  it('calls empty, symbol-only and link-only posts unknown', () => {
    expect(detectPostLanguage('')).toBeNull()
    expect(detectPostLanguage('12345 !!! :-)')).toBeNull()
    expect(detectPostLanguage('@someone #tag https://example.com/a/very/long/path/indeed')).toBeNull()
  })

  it('does not let a link or mentions decide the language', () => {
    expect(detectPostLanguage('https://example.com/the-best-english-article-ever-written lol')).toBeNull()
    expect(
      detectPostLanguage(
        '@maria ¿Alguien sabe dónde puedo encontrar un buen café por el centro? https://example.com/cafe',
      ),
    ).toBe('es')
  })

  it('calls an ambiguous text unknown rather than guessing', () => {
    // Portuguese that franc-min nearly ties with Spanish.
    expect(
      detectPostLanguage('Fui ao mercado com a minha irmã e compramos frutas frescas para um jantar delicioso'),
    ).toBeNull()
  })
})
