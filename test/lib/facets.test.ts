import { describe, expect, it } from 'vitest'
import { MAX_TAGS_PER_POST, parseFacets, tagKey, tagKeyFromInput } from '../../src/lib/facets'

const mentioned = (text: string) => parseFacets(text).mentions.map((m) => m.username)
const tagged = (text: string) => parseFacets(text).tags.map((t) => t.tag)

describe('parseFacets: mentions', () => {
  it('finds @username with its range, at the start, after spaces and punctuation', () => {
    const text = '@ana hi (@bo_b), and @carla!'
    const { mentions } = parseFacets(text)
    expect(mentions.map((m) => m.username)).toEqual(['ana', 'bo_b', 'carla'])
    for (const m of mentions) expect(text.slice(m.start, m.end)).toBe(`@${m.username}`)
  })

  it('ignores @@name, e-mail addresses, remote handles, paths and names of the wrong length', () => {
    expect(mentioned('@@alice')).toEqual([])
    expect(mentioned('mail bob@alice.example')).toEqual([])
    expect(mentioned('@alice@mastodon.example')).toEqual([])
    expect(mentioned('see /path/@alice or a.@alice')).toEqual([])
    expect(mentioned('@al @' + 'x'.repeat(33))).toEqual([])
  })

  it('does not find mentions inside links', () => {
    expect(mentioned('https://example.com/?by=@alice is her page')).toEqual([])
    expect(mentioned('https://example.com/x @alice')).toEqual(['alice'])
  })

  it('works inside right-to-left text', () => {
    const text = 'שלום @dana מה נשמע'
    const [m] = parseFacets(text).mentions
    expect(m!.username).toBe('dana')
    expect(text.slice(m!.start, m!.end)).toBe('@dana')
  })
})

describe('parseFacets: tags', () => {
  it('finds #tags in any script, shown as typed, with their ranges', () => {
    const text = '#Café and #東京 and #שלום and #مرحبا and #snake_case2.'
    const { tags } = parseFacets(text)
    expect(tags.map((t) => t.tag)).toEqual(['Café', '東京', 'שלום', 'مرحبا', 'snake_case2'])
    for (const t of tags) expect(text.slice(t.start, t.end)).toBe(`#${t.tag}`)
  })

  it('refuses digits only, ## and tags glued to a word, an entity or a URL fragment', () => {
    expect(tagged('#123 #1_2 ##x a#b &#39; x/#y')).toEqual([])
    expect(tagged('#1st')).toEqual(['1st'])
  })

  it('does not find tags inside links', () => {
    expect(tagged('https://example.com/page#section, https://x.example/?q=#tag and https://x.example/#/route')).toEqual([])
    expect(tagged('https://example.com/ #real')).toEqual(['real'])
  })

  it('keeps at most MAX_TAGS_PER_POST distinct tags (repeats of one are all linked)', () => {
    const many = Array.from({ length: MAX_TAGS_PER_POST + 3 }, (_, i) => `#t${i}x`).join(' ')
    expect(new Set(parseFacets(many).tags.map((t) => t.key)).size).toBe(MAX_TAGS_PER_POST)
    expect(tagged('#Go #go #GO')).toEqual(['Go', 'go', 'GO'])
  })

  it('leaves over-long runs alone', () => {
    expect(tagged('#' + 'a'.repeat(65))).toEqual([])
    expect(tagged('#' + 'a'.repeat(64))).toHaveLength(1)
  })
})

describe('tagKey', () => {
  it('matches case- and accent-insensitively, with compatibility forms folded', () => {
    expect(tagKey('Café')).toBe(tagKey('CAFE'))
    expect(tagKey('cafe\u0301')).toBe('cafe')
    expect(tagKey('Straße')).toBe('strasse')
    expect(tagKey('ＷＯＲＤ')).toBe('word')
  })

  it('keeps the vowel signs of scripts that need them', () => {
    expect(tagKey('हिंदी')).not.toBe(tagKey('हद'))
    expect(tagKey('हिंदी')).toBe('हिंदी'.normalize('NFKC'))
  })
})

describe('tagKeyFromInput', () => {
  it('takes a tag with or without #, and refuses anything else', () => {
    expect(tagKeyFromInput('Café')).toBe('cafe')
    expect(tagKeyFromInput('#Café')).toBe('cafe')
    expect(tagKeyFromInput('123')).toBeNull()
    expect(tagKeyFromInput('two words')).toBeNull()
    expect(tagKeyFromInput('')).toBeNull()
  })
})
