import { describe, expect, it } from 'vitest'
import { detectPostLanguage } from '../../src/lib/language-detect'

describe('detectPostLanguage', () => {
  it('tells a Spanish sentence from an English one (about 15 words each)', async () => {
    expect(
      await detectPostLanguage(
        'Hoy fui al mercado con mi hermana y compramos frutas frescas para preparar una cena deliciosa',
      ),
    ).toBe('es')
    expect(
      await detectPostLanguage(
        'Today I went to the market with my sister and we bought fresh fruit for a delicious dinner',
      ),
    ).toBe('en')
  })

  it('returns ISO 639-1 codes for other languages too', async () => {
    expect(
      await detectPostLanguage(
        'Ich bin mit meiner Schwester auf den Markt gegangen und wir haben frisches Obst gekauft',
      ),
    ).toBe('de')
    expect(await detectPostLanguage('Je suis allé au marché avec ma sœur et nous avons acheté des fruits frais')).toBe(
      'fr',
    )
    expect(await detectPostLanguage('今天天气很好，我们去公园散步吧')).toBe('zh')
  })

  it('calls a two-word post unknown', async () => {
    expect(await detectPostLanguage('Hola amigos')).toBeNull()
    expect(await detectPostLanguage('hello world')).toBeNull()
  })

  it('calls empty, symbol-only and link-only posts unknown', async () => {
    expect(await detectPostLanguage('')).toBeNull()
    expect(await detectPostLanguage('12345 !!! :-)')).toBeNull()
    expect(await detectPostLanguage('@someone #tag https://example.com/a/very/long/path/indeed')).toBeNull()
  })

  it('does not let a link or mentions decide the language', async () => {
    expect(await detectPostLanguage('https://example.com/the-best-english-article-ever-written lol')).toBeNull()
    expect(
      await detectPostLanguage(
        '@maria ¿Alguien sabe dónde puedo encontrar un buen café por el centro? https://example.com/cafe',
      ),
    ).toBe('es')
  })

  it('tells Portuguese from Spanish (franc-min called this one unknown)', async () => {
    expect(
      await detectPostLanguage('Fui ao mercado com a minha irmã e compramos frutas frescas para um jantar delicioso'),
    ).toBe('pt')
  })

  it('knows short English posts are English (franc-min said French, Dutch or Spanish)', async () => {
    expect(await detectPostLanguage('New blog post is up, check it out')).toBe('en')
    expect(await detectPostLanguage('Just got back from the gym and I am starving')).toBe('en')
  })

  it('calls a text unknown when the best two languages score nearly the same', async () => {
    // eld: Tagalog a hair ahead of English for this one.
    expect(await detectPostLanguage('Happy birthday to my amazing sister! 🎉')).toBeNull()
  })
})
