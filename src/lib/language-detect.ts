/** eld's detector, loaded on first use: its n-gram tables (~1 MB of JS) stay out of every cold start. */
type Eld = (typeof import('eld/extrasmall'))['eld']
let detector: Promise<Eld> | undefined
function loadDetector(): Promise<Eld> {
  detector ??= import('eld/extrasmall').then((module) => module.eld)
  return detector
}

/**
 * Below these, character statistics are noise: "Hola amigos" comes out as Portuguese and
 * "hello world" as Norwegian. Counted after links, mentions, hashtags and digits are removed.
 */
const MIN_LETTERS = 20
const MIN_WORDS = 4
/**
 * eld scores every language it considers; when the runner-up is this close to the best, the
 * text is ambiguous (Spanish and Portuguese share most n-grams, short English posts look
 * like Tagalog), and "unknown" — no Translate link — is better than a wrong guess.
 * Chosen on test/fixtures/language-posts.json: it turns the set's only wrong answer into
 * "unknown" and costs about 1% of the right ones (README, "Language detection").
 */
const MIN_MARGIN = 0.02

/** Scripts eld identifies by their characters alone (Han, Hangul, Thai...): fewer letters do. */
const UNSPACED_MIN_LETTERS = 6
const UNSPACED_SCRIPT =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Thai}\p{Script=Lao}]/u

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
 * ("unknown") when the text is too short or the detector is unsure. Pure JavaScript (eld's
 * extra-small n-gram database, 60 languages), so it runs in workerd without a network call.
 * Measured against franc-min, tinyld and lande: `npm run bench:language`.
 */
export async function detectPostLanguage(text: string): Promise<string | null> {
  const clean = languageText(text)
  const letters = clean.replace(/[^\p{L}]/gu, '').length
  const words = clean.split(' ').filter((word) => /\p{L}/u.test(word)).length
  const unspaced = UNSPACED_SCRIPT.test(clean)
  if (letters < (unspaced ? UNSPACED_MIN_LETTERS : MIN_LETTERS)) return null
  if (!unspaced && words < MIN_WORDS) return null
  const result = (await loadDetector()).detect(clean)
  if (!result.language || !result.isReliable()) return null
  const [best = 0, runnerUp = 0] = Object.values(result.getScores()).sort((a, b) => b - a)
  if (best - runnerUp < MIN_MARGIN) return null
  return result.language
}
