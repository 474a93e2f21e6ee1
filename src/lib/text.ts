import { z } from 'zod'
import type { MessageKey } from './i18n'
import { characterCount } from './forms'

/**
 * One normaliser for every piece of free text a member writes (posts, "about me", private
 * messages, …), so each field refuses the same tricks:
 *
 * - `normalizeText` *repairs* what is harmless to repair: CRLF/CR → LF; NUL, the other C0
 *   controls (except newline and tab), DEL and the C1 controls are removed; runs of more than
 *   two blank lines become two; the ends are trimmed.
 * - `checkText` then *refuses* what must not be stored: bidi override/isolate controls
 *   (U+202A–U+202E, U+2066–U+2069: they flip the text around them, e.g. to disguise a link),
 *   text that is only whitespace or invisible (zero-width) characters, more than `maxGraphemes`
 *   user-perceived characters, and more than `maxCodePoints` code points (default 4 × graphemes:
 *   a "zalgo" text of 140 graphemes stacked with combining marks cannot grow to 10 KB).
 * - `textFieldSchema` wraps both for zod forms; its messages are catalog keys.
 *
 * Views render such text with `dir="auto"` so a right-to-left text does not reorder its
 * neighbours either.
 */

// C0 controls except TAB (\x09) and LF (\x0A), plus DEL and the C1 block.
// eslint-disable-next-line no-control-regex
const STRIPPED_CONTROLS = /[\x00-\x08\x0B-\x1F\x7F-\x9F]/g
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/
// Whitespace and default-ignorable (zero-width, joiners, BOM, fillers…) code points.
const INVISIBLE = /[\s\p{Default_Ignorable_Code_Point}]/gu
// A line break followed by three or more (blank or whitespace-only) lines = 3+ blank lines.
const BLANK_LINE_RUN = /\n(?:[ \t]*\n){3,}/g

/** Repairs free text: newlines unified, stray controls removed, blank-line runs collapsed, trimmed. */
export function normalizeText(input: string): string {
  return input.replace(/\r\n?/g, '\n').replace(STRIPPED_CONTROLS, '').replace(BLANK_LINE_RUN, '\n\n\n').trim()
}

export type TextProblem = 'blank' | 'bidi' | 'tooLong'

export type TextLimits = {
  /** Most user-perceived characters (grapheme clusters). */
  maxGraphemes: number
  /** Most code points; defaults to 4 × `maxGraphemes`. */
  maxCodePoints?: number
  /** Whether empty text is refused (default true). Blank-but-not-empty text is always refused. */
  required?: boolean
}

/** Normalises `input` and says whether it may be stored; `text` is the normalised form. */
export function checkText(
  input: string,
  limits: TextLimits,
): { ok: true; text: string } | { ok: false; problem: TextProblem; text: string } {
  const text = normalizeText(input)
  const required = limits.required ?? true
  if (text === '') return required ? { ok: false, problem: 'blank', text } : { ok: true, text }
  if (BIDI_CONTROLS.test(text)) return { ok: false, problem: 'bidi', text }
  if (text.replace(INVISIBLE, '') === '') return { ok: false, problem: 'blank', text }
  const maxCodePoints = limits.maxCodePoints ?? 4 * limits.maxGraphemes
  // Count code points cheaply first: it bounds the grapheme count, and refuses huge input early.
  let codePoints = 0
  for (const _ of text) if (++codePoints > maxCodePoints) return { ok: false, problem: 'tooLong', text }
  if (characterCount(text) > limits.maxGraphemes) return { ok: false, problem: 'tooLong', text }
  return { ok: true, text }
}

/**
 * A zod field for member-written text: the output is the normalised text; each problem maps to
 * a catalog key (`bidi` defaults to `text.bidiControls`).
 */
export function textFieldSchema(
  limits: TextLimits,
  messages: { blank: MessageKey; tooLong: MessageKey; bidi?: MessageKey },
) {
  return z
    .string()
    .default('')
    .transform((value, ctx) => {
      const result = checkText(value, limits)
      if (result.ok) return result.text
      const message = result.problem === 'bidi' ? (messages.bidi ?? 'text.bidiControls') : messages[result.problem]
      ctx.addIssue({ code: 'custom', message })
      return z.NEVER
    })
}
