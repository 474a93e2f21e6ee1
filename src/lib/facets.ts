/**
 * Mentions and hashtags in a post's text, found once when the post is written and stored with
 * it (so a page never parses a body again). Ranges are UTF-16 offsets into the text as stored,
 * which is what `String.prototype.slice` takes when a view cuts the text into pieces.
 */
export type Range = { start: number; end: number }
export type MentionFacet = Range & { username: string }
export type TagFacet = Range & { tag: string; key: string }
export type Facets = { mentions: MentionFacet[]; tags: TagFacet[] }

/** The most distinct tags a post keeps (more are left as plain text). */
export const MAX_TAGS_PER_POST = 10
/** Longer runs are not tags: nobody types them, and they would bloat the tag index. */
export const MAX_TAG_LENGTH = 64

// A mention is `@` and a local username (the sign-up rule: 3–32 of A–Z, a–z, 0–9, _). It must
// not follow a word character, `@` (`@@alice`), `/` or `.` (addresses and paths), and must not
// continue with `@` (`@alice@elsewhere.example` is someone on another server).
const MENTION_RE = /(?<![\p{L}\p{M}\p{N}_@/.])@([A-Za-z0-9_]{3,32})(?![A-Za-z0-9_@])/gu

// A tag is `#` and letters of any script, their marks, digits and `_`. It must not follow a
// word character, `#`, `&` (an HTML entity such as `&#39;`) or `/` (a URL fragment).
const TAG_RE = /(?<![\p{L}\p{M}\p{N}_&/#])#([\p{L}\p{M}\p{N}_]+)/gu

const URL_RE = /\bhttps?:\/\/[^\s<>"']+/gi

/** Parses mentions and tags; anything inside a link is part of the link, not a facet. */
export function parseFacets(text: string): Facets {
  const links = [...text.matchAll(URL_RE)].map((m) => ({ start: m.index, end: m.index + m[0].length }))
  const insideLink = (index: number) => links.some((link) => index >= link.start && index < link.end)

  const mentions: MentionFacet[] = []
  for (const match of text.matchAll(MENTION_RE)) {
    if (insideLink(match.index)) continue
    mentions.push({ username: match[1]!, start: match.index, end: match.index + match[0].length })
  }

  const tags: TagFacet[] = []
  const seen = new Set<string>()
  for (const match of text.matchAll(TAG_RE)) {
    const tag = match[1]!
    if (insideLink(match.index) || tag.length > MAX_TAG_LENGTH || /^[\p{N}_]+$/u.test(tag)) continue
    const key = tagKey(tag)
    const facet = { tag, key, start: match.index, end: match.index + match[0].length }
    // Every place a tag is written is linked; only the first of each key counts toward the cap.
    if (!seen.has(key)) {
      if (seen.size >= MAX_TAGS_PER_POST) continue
      seen.add(key)
    }
    tags.push(facet)
  }
  return { mentions, tags }
}

/**
 * The form a tag is matched and stored by: compatibility-normalised (NFKC: full-width letters
 * and ligatures become plain ones), Latin/Greek/Cyrillic accents removed (`#café` = `#CAFE`),
 * and case-folded (upper then lower case maps `ß` to `ss` as full case folding does). Only
 * the combining diacritics block U+0300–U+036F is removed: the vowel signs of Indic and other
 * scripts are marks too, and removing them would merge different words.
 */
export function tagKey(tag: string): string {
  return tag
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .normalize('NFKC')
    .toUpperCase()
    .toLowerCase()
}

/** The key of a tag typed in a URL or a search box (`#` optional), or null if it is no tag. */
export function tagKeyFromInput(input: string): string | null {
  const { tags } = parseFacets(input.startsWith('#') ? input : `#${input}`)
  const only = tags[0]
  return only && only.start === 0 && only.end === input.length + (input.startsWith('#') ? 0 : 1) ? only.key : null
}
