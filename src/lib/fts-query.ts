/**
 * Turns what a person typed into an FTS5 MATCH expression that can never be read as FTS5
 * syntax. Raw input breaks queries (`"` leaves a string open, `-x` names a column, `NEAR(`,
 * `AND`, `^`, `col:` are operators), so:
 *
 * - control characters (NUL included) become spaces;
 * - the text is split on whitespace and only words holding a letter or a digit are kept
 *   (a lone `(` or `*` or an emoji says nothing to the unicode61 tokenizer anyway);
 * - every word becomes a quoted FTS5 string (`"…"`, inner quotes doubled): inside quotes
 *   FTS5 sees only text, which its tokenizer splits like the indexed bodies;
 * - the last word is a prefix (`"hel"*`), so results follow the typing.
 *
 * Words are ANDed (FTS5's implicit operator). At most `MAX_WORDS` words are used: each word
 * is one more doclist to read. Returns null when nothing searchable is left.
 */
export function toFtsQuery(input: string): string | null {
  const words = input
    .replace(/\p{Cc}/gu, ' ')
    .split(/\s+/u)
    .filter((word) => /[\p{L}\p{N}]/u.test(word))
    .slice(0, MAX_WORDS)
  if (words.length === 0) return null
  return words.map((word, i) => `"${word.replaceAll('"', '""')}"${i === words.length - 1 ? '*' : ''}`).join(' ')
}

export const MAX_WORDS = 12
