export type TextSegment = { kind: 'text'; text: string } | { kind: 'link'; href: string; text: string }

const URL_RE = /\bhttps?:\/\/[^\s<>"']+/gi

/**
 * Splits post text into plain text and http(s) links. Views render each segment as JSX,
 * so text stays escaped; trailing punctuation is left out of the link, but a closing bracket
 * that balances one inside the URL stays (`https://en.wikipedia.org/wiki/Foo_(bar)`).
 */
export function linkify(body: string): TextSegment[] {
  const segments: TextSegment[] = []
  let last = 0
  for (const match of body.matchAll(URL_RE)) {
    const href = trimTrailing(match[0])
    const start = match.index
    if (start > last) segments.push({ kind: 'text', text: body.slice(last, start) })
    segments.push({ kind: 'link', href, text: href })
    last = start + href.length
  }
  if (last < body.length) segments.push({ kind: 'text', text: body.slice(last) })
  return segments
}

const CLOSERS: Record<string, string> = { ')': '(', ']': '[' }

/** Drops trailing punctuation, one character at a time, keeping a bracket the URL opened. */
function trimTrailing(url: string): string {
  let end = url.length
  while (end > 0) {
    const ch = url[end - 1]!
    if ('.,;:!?'.includes(ch)) {
      end--
      continue
    }
    const opener = CLOSERS[ch]
    if (!opener) break
    const head = url.slice(0, end)
    const opened = head.split(opener).length - 1
    const closed = head.split(ch).length - 1
    if (closed <= opened) break
    end--
  }
  return url.slice(0, end)
}
