/**
 * Matches marked by FTS5's `highlight(posts_fts, 0, MARK_START, MARK_END)`, turned into
 * ranges over the plain text. The markers are control characters, which post bodies never
 * hold (they are stripped when a post is saved); should one slip in anyway, the text would
 * not equal the stored body and the post is shown without highlights rather than wrongly.
 * The caller renders text as text (escaped by JSX) and wraps only the ranges in `<mark>`,
 * so a body containing `<mark>` or `<script>` stays text.
 */
export const MARK_START = '\u0001'
export const MARK_END = '\u0002'

export type MarkRange = [start: number, end: number]

export function markRanges(marked: string, body: string): MarkRange[] {
  const ranges: MarkRange[] = []
  let plain = ''
  let open = -1
  for (const ch of marked) {
    if (ch === MARK_START) {
      if (open !== -1) return []
      open = plain.length
    } else if (ch === MARK_END) {
      if (open === -1) return []
      if (plain.length > open) ranges.push([open, plain.length])
      open = -1
    } else plain += ch
  }
  return open === -1 && plain === body ? ranges : []
}

/** Splits `text` (which starts at `offset` in the body) into plain and marked pieces. */
export function splitByRanges(text: string, offset: number, ranges: MarkRange[]): { text: string; marked: boolean }[] {
  const pieces: { text: string; marked: boolean }[] = []
  let at = 0
  for (const [start, end] of ranges) {
    const s = Math.max(start - offset, at)
    const e = Math.min(end - offset, text.length)
    if (e <= s) continue
    if (s > at) pieces.push({ text: text.slice(at, s), marked: false })
    pieces.push({ text: text.slice(s, e), marked: true })
    at = e
  }
  if (at < text.length) pieces.push({ text: text.slice(at), marked: false })
  return pieces
}
