/**
 * The logic of `npm run i18n:check`, kept pure (no file system) so the Node script and the
 * tests inside workerd run the same code: the script reads `locales/` and `src/` and
 * passes their contents in; a test passes fixtures. Not imported by the app.
 *
 * Node runs this file directly (type stripping), so it uses only erasable TypeScript and
 * imports nothing.
 */

export type CatalogInput = Record<string, unknown>

export type I18nProblem =
  | { kind: 'missing'; catalog: string; key: string }
  | { kind: 'extra'; catalog: string; key: string }
  | { kind: 'invalid'; catalog: string; key: string; detail: string }
  | { kind: 'params'; catalog: string; key: string; detail: string }
  | { kind: 'unused'; catalog: string; key: string }
  | { kind: 'literal'; file: string; line: number; text: string }

const PLURAL_CATEGORIES = new Set(['zero', 'one', 'two', 'few', 'many', 'other'])

/** The texts of a catalog value (one string, or each plural form), or an error. */
function textsOf(value: unknown): { ok: true; plural: boolean; texts: string[] } | { ok: false; detail: string } {
  if (typeof value === 'string') return { ok: true, plural: false, texts: [value] }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { ok: false, detail: 'must be a string or an object of plural forms' }
  }
  const forms = Object.entries(value)
  for (const [category, text] of forms) {
    if (!PLURAL_CATEGORIES.has(category)) return { ok: false, detail: `unknown plural category "${category}"` }
    if (typeof text !== 'string') return { ok: false, detail: `plural form "${category}" must be a string` }
  }
  if (typeof (value as Record<string, unknown>).other !== 'string') {
    return { ok: false, detail: 'a plural object needs an "other" form' }
  }
  return { ok: true, plural: true, texts: forms.map(([, text]) => text as string) }
}

function paramsOf(texts: string[]): string[] {
  const names = new Set<string>()
  for (const text of texts) for (const match of text.matchAll(/\{(\w+)\}/g)) names.add(match[1]!)
  return [...names].sort()
}

/** True if `key` appears as a quoted string literal in a source file ('k', "k" or `k`). */
function isKeyUsed(key: string, sources: string[]): boolean {
  const escaped = key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  const pattern = new RegExp(`(['"\`])${escaped}\\1`)
  return sources.some((source) => pattern.test(source))
}

/**
 * Compares every catalog with the source catalog (`en`): keys missing or extra, values
 * of the wrong shape, `{params}` that differ; and source keys that no file in `sources`
 * mentions. A key counts as used when it appears as a string literal anywhere in
 * `src/`, which also covers keys kept in lookup tables (like the error pages' status →
 * key maps) rather than written inside `t()`. A key built at run time from pieces would
 * be reported unused — write such keys out in a table instead.
 */
export function checkCatalogs(input: {
  catalogs: Record<string, CatalogInput>
  sources: Record<string, string>
  sourceLanguage?: string
}): I18nProblem[] {
  const sourceLanguage = input.sourceLanguage ?? 'en'
  const reference = input.catalogs[sourceLanguage]
  if (!reference) throw new Error(`no "${sourceLanguage}" catalog`)
  const problems: I18nProblem[] = []
  const referenceShape = new Map<string, { plural: boolean; params: string[] }>()

  for (const [key, value] of Object.entries(reference)) {
    const texts = textsOf(value)
    if (!texts.ok) {
      problems.push({ kind: 'invalid', catalog: sourceLanguage, key, detail: texts.detail })
      continue
    }
    referenceShape.set(key, { plural: texts.plural, params: paramsOf(texts.texts) })
  }

  for (const [lang, catalog] of Object.entries(input.catalogs)) {
    if (lang === sourceLanguage) continue
    for (const key of Object.keys(reference)) {
      if (!Object.hasOwn(catalog, key)) problems.push({ kind: 'missing', catalog: lang, key })
    }
    for (const [key, value] of Object.entries(catalog)) {
      if (!Object.hasOwn(reference, key)) {
        problems.push({ kind: 'extra', catalog: lang, key })
        continue
      }
      const shape = referenceShape.get(key)
      const texts = textsOf(value)
      if (!texts.ok) {
        problems.push({ kind: 'invalid', catalog: lang, key, detail: texts.detail })
        continue
      }
      if (!shape) continue
      if (texts.plural !== shape.plural) {
        const detail = shape.plural
          ? `plural forms in ${sourceLanguage}, a string here`
          : `a string in ${sourceLanguage}, plural forms here`
        problems.push({ kind: 'invalid', catalog: lang, key, detail })
        continue
      }
      const params = paramsOf(texts.texts)
      if (params.join(',') !== shape.params.join(',')) {
        const detail = `uses {${params.join('}, {')}} but ${sourceLanguage} has {${shape.params.join('}, {')}}`
        problems.push({ kind: 'params', catalog: lang, key, detail })
      }
    }
  }

  const sources = Object.values(input.sources)
  for (const key of Object.keys(reference)) {
    if (!isKeyUsed(key, sources)) problems.push({ kind: 'unused', catalog: sourceLanguage, key })
  }
  return problems
}

/** Attributes a person reads or hears, and the props the views pass such text through. */
const TEXT_ATTRIBUTES = [
  'aria-label',
  'aria-description',
  'aria-placeholder',
  'aria-roledescription',
  'aria-valuetext',
  'placeholder',
  'title',
  'alt',
  'label',
  'hint',
  'empty',
  'message',
]
const ATTRIBUTE_PATTERN = new RegExp(
  `(?:^|\\s)(${TEXT_ATTRIBUTES.join('|')})=(?:"([^"]*)"|'([^']*)'|\\{\\s*(?:"([^"]*)"|'([^']*)'|\`([^\`$]*)\`)\\s*\\})`,
  'g',
)

/** A word: two or more letters in a row. One letter or punctuation ("·", "—") is not text. */
function hasWords(text: string): boolean {
  return /\p{L}{2,}/u.test(text.replace(/&(?:[a-z]+|#\d+|#x[\da-f]+);/gi, ' '))
}

/**
 * Finds user-visible text written straight into a view instead of coming from `t()`:
 * JSX text between tags (`<p>Hello there</p>`) and text attributes such as `aria-label`,
 * `placeholder`, `title`, `alt` (and the `label`/`hint`/`empty`/`message` props of the
 * shared components) given as a string literal.
 *
 * The markup of `html` tagged templates (hono/html) is checked the same way.
 *
 * A small scanner rather than a full parser. It walks the code skipping strings, template
 * literals, comments and regular expressions; a `<` starts an element when a letter or
 * `>` follows and what comes before cannot end an expression (so `Promise<Page>` and
 * `a < b` are not elements). Inside an element it reads children: text up to `<` or `{`
 * is JSX text, `{...}` is code again (which may hold more elements), `</...>` ends it.
 */
export function findLiteralText(file: string, source: string): I18nProblem[] {
  return new LiteralScanner(file, source).scan()
}

class LiteralScanner {
  private readonly problems: I18nProblem[] = []
  private readonly file: string
  private readonly code: string

  constructor(file: string, code: string) {
    this.file = file
    this.code = code
  }

  scan(): I18nProblem[] {
    this.skipCode(0, false)
    return this.problems
  }

  private report(offset: number, text: string): void {
    const line = this.code.slice(0, offset).split('\n').length
    this.problems.push({ kind: 'literal', file: this.file, line, text: text.trim().replace(/\s+/g, ' ') })
  }

  /**
   * Skips code from `i`. With `untilBrace`, stops after the `}` that closes an expression
   * container and returns the index after it; otherwise runs to the end of the file.
   */
  private skipCode(i: number, untilBrace: boolean): number {
    const code = this.code
    let depth = 0
    while (i < code.length) {
      const ch = code[i]!
      const next = code[i + 1]
      if (ch === '/' && next === '/') {
        i = code.indexOf('\n', i)
        if (i < 0) return code.length
      } else if (ch === '/' && next === '*') {
        i = code.indexOf('*/', i + 2)
        if (i < 0) return code.length
        i += 2
      } else if (ch === '"' || ch === "'") {
        i = this.string(i, ch)
      } else if (ch === '`') {
        i = /\bhtml\s*$/.test(code.slice(Math.max(0, i - 8), i)) ? this.htmlTemplate(i) : this.template(i)
      } else if (ch === '/' && this.canStartExpression(i)) {
        i = this.regex(i)
      } else if (ch === '<' && this.isElementStart(i)) {
        i = this.element(i)
      } else if (ch === '{') {
        depth++
        i++
      } else if (ch === '}') {
        if (untilBrace && depth === 0) return i + 1
        depth--
        i++
      } else {
        i++
      }
    }
    return i
  }

  private string(i: number, quote: string): number {
    const code = this.code
    for (let k = i + 1; k < code.length; k++) {
      if (code[k] === '\\') k++
      else if (code[k] === quote || code[k] === '\n') return k + 1
    }
    return code.length
  }

  private template(i: number): number {
    const code = this.code
    for (let k = i + 1; k < code.length; k++) {
      if (code[k] === '\\') k++
      else if (code[k] === '`') return k + 1
      else if (code[k] === '$' && code[k + 1] === '{') k = this.skipCode(k + 2, true) - 1
    }
    return code.length
  }

  /**
   * An `html` tagged template (hono/html): its markup is a view too. The static parts are
   * read as HTML (text between tags, text attributes); each `${…}` is code again (it may hold
   * `t()` calls or more templates) and counts as no text.
   */
  private htmlTemplate(i: number): number {
    const code = this.code
    let markup = ''
    let k = i + 1
    for (; k < code.length; k++) {
      if (code[k] === '\\') {
        markup += '  '
        k++
      } else if (code[k] === '`') {
        break
      } else if (code[k] === '$' && code[k + 1] === '{') {
        const after = this.skipCode(k + 2, true)
        markup += '\u0001'.repeat(after - k)
        k = after - 1
      } else {
        markup += code[k]
      }
    }
    const base = i + 1
    // A template may be a piece of a tag: ` class="x"` (attributes, no text).
    const lead = /^[^<>]*/.exec(markup)![0]
    const attributesOnly = /^(\s+[\w:-]+(="[^"]*"|='[^']*')?)+\s*$/.test(lead)
    const tags = [...markup.matchAll(/<[^>]*>/g)].map((m) => ({ text: m[0], at: m.index }))
    if (attributesOnly) tags.push({ text: lead, at: 0 })
    for (const tag of tags) {
      for (const match of tag.text.matchAll(ATTRIBUTE_PATTERN)) {
        const value = match.slice(2).find((group) => group !== undefined) ?? ''
        if (hasWords(value)) this.report(base + tag.at + (match.index ?? 0), `${match[1]}="${value}"`)
      }
    }
    for (const text of markup.matchAll(/(?:^|>)([^<>]+)/g)) {
      if (text.index === 0 && attributesOnly) continue
      const value = text[1]!.replaceAll('\u0001', ' ')
      if (hasWords(value)) this.report(base + text.index + text[0].length - value.length + value.search(/\S/), value)
    }
    return Math.min(k + 1, code.length)
  }

  private regex(i: number): number {
    const code = this.code
    let inClass = false
    for (let k = i + 1; k < code.length; k++) {
      const ch = code[k]
      if (ch === '\\') k++
      else if (ch === '\n') return k
      else if (ch === '[') inClass = true
      else if (ch === ']') inClass = false
      else if (ch === '/' && !inClass) return k + 1
    }
    return code.length
  }

  /** The last character before `i` that is not white space. */
  private previous(i: number): { ch: string; at: number } {
    let k = i - 1
    while (k >= 0 && /\s/.test(this.code[k]!)) k--
    return { ch: k >= 0 ? this.code[k]! : '', at: k }
  }

  /** After an operator, `(`, `,`, `return`... a value starts (a regex or an element may). */
  private canStartExpression(i: number): boolean {
    const { ch, at } = this.previous(i)
    if (ch === '') return true
    if (/[\w$]/.test(ch))
      return /\b(return|typeof|case|do|else|in|of|yield|await)$/.test(this.code.slice(Math.max(0, at - 6), at + 1))
    return !/[)\].'"`]/.test(ch)
  }

  private isElementStart(i: number): boolean {
    const rest = this.code.slice(i + 1, i + 64)
    if (!/^(>|[A-Za-z])/.test(rest)) return false
    // `<T,>(x) =>` and `<T extends U>` are type parameters, not elements.
    if (/^[A-Za-z_$][\w$]*\s*(,|extends\b)/.test(rest)) return false
    return this.canStartExpression(i)
  }

  /** The index of the `>` that ends the tag starting at `start` (outside braces and quotes). */
  private tagEnd(start: number): number {
    const code = this.code
    for (let k = start + 1; k < code.length; k++) {
      const ch = code[k]!
      if (ch === '"' || ch === "'") k = this.string(k, ch) - 1
      else if (ch === '{') k = this.skipCode(k + 1, true) - 1
      else if (ch === '>') return k
    }
    return code.length
  }

  /** Reads one element from its `<` (attributes and children); returns the index after it. */
  private element(start: number): number {
    const code = this.code
    const end = this.tagEnd(start)
    const tag = code.slice(start, end + 1)
    for (const match of tag.matchAll(ATTRIBUTE_PATTERN)) {
      const value = match.slice(2).find((group) => group !== undefined) ?? ''
      if (hasWords(value)) this.report(start + (match.index ?? 0), `${match[1]}="${value}"`)
    }
    if (tag.endsWith('/>')) return end + 1
    let i = end + 1
    while (i < code.length) {
      let j = i
      while (j < code.length && code[j] !== '<' && code[j] !== '{') j++
      const text = code.slice(i, j)
      if (hasWords(text)) this.report(i + text.search(/\S/), text)
      if (j >= code.length) return j
      if (code[j] === '{') {
        i = this.skipCode(j + 1, true)
      } else if (code[j + 1] === '/') {
        return this.tagEnd(j) + 1
      } else {
        i = this.element(j)
      }
    }
    return i
  }
}

/** One line per problem, for people. */
export function formatProblem(problem: I18nProblem): string {
  switch (problem.kind) {
    case 'missing':
      return `${problem.catalog}: missing key "${problem.key}"`
    case 'extra':
      return `${problem.catalog}: extra key "${problem.key}" (not in the source catalog)`
    case 'invalid':
      return `${problem.catalog}: "${problem.key}" ${problem.detail}`
    case 'params':
      return `${problem.catalog}: "${problem.key}" ${problem.detail}`
    case 'unused':
      return `${problem.catalog}: "${problem.key}" is never used in src/`
    case 'literal':
      return `${problem.file}:${problem.line}: literal text in a view, use t(): ${JSON.stringify(problem.text)}`
  }
}
