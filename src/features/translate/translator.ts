import type { Bindings } from '../../env'

/**
 * Machine translation of a post's text, behind an interface so the app does not care who
 * translates: Workers AI in production, a fake in tests, nothing in local development.
 */
export interface Translator {
  /** Translates `text` from `source` to `target` (ISO 639-1 codes). Throws on failure. */
  translate(text: string, source: string, target: string): Promise<string>
}

/** Meta's M2M100 (1.2B) on Workers AI: direct translation between 100 languages by ISO code. */
export const TRANSLATION_MODEL = '@cf/meta/m2m100-1.2b'

export function workersAiTranslator(ai: Ai): Translator {
  return {
    async translate(text, source, target) {
      const result = await ai.run(TRANSLATION_MODEL, { text, source_lang: source, target_lang: target })
      const translated = 'translated_text' in result ? result.translated_text?.trim() : undefined
      if (!translated) throw new Error('the translation model returned no text')
      return translated
    },
  }
}

let translatorForTests: Translator | null | undefined

/**
 * The translator this deployment has, or `null` ("translation is not available"). The `AI`
 * binding exists only in `[env.production]` of wrangler.toml: with it in the default
 * config, offline `wrangler dev` fails, so local development has no translator.
 */
export function getTranslator(env: Bindings): Translator | null {
  if (translatorForTests !== undefined) return translatorForTests
  return env.AI ? workersAiTranslator(env.AI) : null
}

/**
 * Test seam: tests (which run in the same isolate as the app) install a fake translator,
 * or `null` for "none configured"; `undefined` restores the choice from the environment.
 * Nothing in `src/` calls it.
 */
export function setTranslatorForTests(translator: Translator | null | undefined): void {
  translatorForTests = translator
}
