import { createTranslator, SUPPORTED_LANGUAGES, type Lang, type Translate } from '../../lib/i18n'

/** One fragment in each language the site speaks: the hub sends each socket its own. */
export type LocalizedHtml = Record<Lang, string>

/**
 * What a write tells a member's hub (over RPC, so plain serializable data). Each area
 * renders its own out-of-band fragments (the unread badge and a message in
 * features/messages, a profile's counts in features/users, an export's status in
 * features/data) with `localized`; the hub only sends them on. The one fragment the hub
 * renders is its own: the "N new posts" bar, whose count it keeps per tab.
 */
export type LiveEvent =
  /** htmx out-of-band fragments for every open page of the member. */
  | { type: 'fragment'; html: LocalizedHtml }
  /** Someone the member follows posted: the "N new posts" bar on the home timeline. */
  | { type: 'post' }
  /**
   * The member's data export `id` moved (a chunk finished, it is done, or it failed): its
   * status fragment, for the pages that show that export, kept for a page that connects
   * late (see `MemberHub`) until a while after it `finished`.
   */
  | { type: 'export'; id: number; finished: boolean; html: LocalizedHtml }

/**
 * Renders a fragment once per language. The fragments are synchronous components, so
 * hono/jsx renders each to a string at once.
 */
export function localized(
  render: (t: Translate, lang: Lang) => { toString(): string | Promise<string> },
): LocalizedHtml {
  const html = {} as LocalizedHtml
  for (const lang of SUPPORTED_LANGUAGES) {
    const out = render(createTranslator(lang), lang).toString()
    if (typeof out !== 'string') throw new Error('a live fragment must render synchronously')
    html[lang] = out
  }
  return html
}
