export type TextSegment = { kind: 'text'; text: string } | { kind: 'link'; href: string; text: string }

const URL_RE = /\bhttps?:\/\/[^\s<>"']+/gi

/**
 * Splits post text into plain text and http(s) links. Views render each segment as JSX,
 * so text stays escaped; trailing punctuation is left out of the link.
 */
export function linkify(body: string): TextSegment[] {
  const segments: TextSegment[] = []
  let last = 0
  for (const match of body.matchAll(URL_RE)) {
    let href = match[0]
    const trailing = /[.,;:!?)\]]+$/.exec(href)
    if (trailing) href = href.slice(0, -trailing[0].length)
    const start = match.index
    if (start > last) segments.push({ kind: 'text', text: body.slice(last, start) })
    segments.push({ kind: 'link', href, text: href })
    last = start + href.length
  }
  if (last < body.length) segments.push({ kind: 'text', text: body.slice(last) })
  return segments
}
