import { francAll } from 'franc-min'

/**
 * franc-min's languages (ISO 639-3) that have an ISO 639-1 code, mapped to it. Where
 * franc names one variety of a macrolanguage (Standard Arabic, Iranian Persian, Northern
 * Uzbek...), the two-letter code is the macrolanguage's, which is what readers and
 * translation models use. franc-min's other languages (Cebuano, Madurese, Maithili...)
 * have no two-letter code, so the detector does not consider them.
 */
const ISO_639_1: Record<string, string> = {
  amh: 'am',
  arb: 'ar',
  azj: 'az',
  bel: 'be',
  ben: 'bn',
  bos: 'bs',
  bul: 'bg',
  ces: 'cs',
  cmn: 'zh',
  deu: 'de',
  ell: 'el',
  eng: 'en',
  fra: 'fr',
  fuv: 'ff',
  guj: 'gu',
  hau: 'ha',
  hin: 'hi',
  hrv: 'hr',
  hun: 'hu',
  ibo: 'ig',
  ind: 'id',
  ita: 'it',
  jav: 'jv',
  jpn: 'ja',
  kan: 'kn',
  kaz: 'kk',
  kin: 'rw',
  kor: 'ko',
  lin: 'ln',
  mal: 'ml',
  mar: 'mr',
  mya: 'my',
  nld: 'nl',
  npi: 'ne',
  nya: 'ny',
  pan: 'pa',
  pbu: 'ps',
  pes: 'fa',
  plt: 'mg',
  pol: 'pl',
  por: 'pt',
  ron: 'ro',
  run: 'rn',
  rus: 'ru',
  sin: 'si',
  som: 'so',
  spa: 'es',
  srp: 'sr',
  sun: 'su',
  swe: 'sv',
  swh: 'sw',
  tam: 'ta',
  tel: 'te',
  tgl: 'tl',
  tha: 'th',
  tur: 'tr',
  ukr: 'uk',
  urd: 'ur',
  uzn: 'uz',
  vie: 'vi',
  yor: 'yo',
  zlm: 'ms',
  zul: 'zu',
}
const CANDIDATES = Object.keys(ISO_639_1)

/**
 * Below these, trigram statistics are noise: "Hola amigos" comes out as Malagasy and
 * "hello world" as Dutch. Counted after links, mentions, hashtags and digits are removed.
 */
const MIN_LETTERS = 20
const MIN_WORDS = 4
/**
 * franc scores the best language 1 and the others relative to it. When the runner-up is
 * this close, the text is ambiguous (Spanish and Portuguese share most trigrams), and
 * "unknown" is better than a wrong guess that would offer a pointless Translate link.
 */
const MAX_RUNNER_UP = 0.95

/** Scripts franc identifies by their characters alone, one language each (Han, Hangul, Thai...). */
const UNSPACED_MIN_LETTERS = 6

/**
 * Strips what says nothing about the language: links, @mentions, #hashtags, e-mail
 * addresses, digits and punctuation.
 */
function languageText(text: string): string {
  return text
    .replace(/\bhttps?:\/\/\S+/giu, ' ')
    .replace(/\bwww\.\S+/giu, ' ')
    .replace(/\S+@\S+\.\S+/gu, ' ')
    .replace(/[@#][\p{L}\p{N}_]+/gu, ' ')
    .replace(/[^\p{L}\p{M}\s'’-]+/gu, ' ')
    .replace(/\s+/gu, ' ')
    .trim()
}

/**
 * Detects the language of a post when it is saved, as an ISO 639-1 code, or `null`
 * ("unknown") when the text is too short or the detector is unsure. Pure JavaScript
 * (franc-min's trigram models), so it runs in workerd without a network call.
 */
export function detectPostLanguage(text: string): string | null {
  const clean = languageText(text)
  const letters = clean.replace(/[^\p{L}]/gu, '').length
  const words = clean.split(' ').filter((word) => /\p{L}/u.test(word)).length
  if (letters < UNSPACED_MIN_LETTERS) return null
  const ranking = francAll(clean, { only: CANDIDATES, minLength: 1 })
  const [best, runnerUp] = ranking
  if (!best || best[0] === 'und') return null
  // A script with a single language (franc returns just that one) is as sure as it gets.
  const singleScript = ranking.length === 1
  if (!singleScript && (letters < MIN_LETTERS || words < MIN_WORDS)) return null
  if (runnerUp && runnerUp[1] >= MAX_RUNNER_UP) return null
  return ISO_639_1[best[0]] ?? null
}
