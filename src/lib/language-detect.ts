/**
 * Detects the language of a post at write time. Until the languages issue lands this
 * stores "unknown" (null) for every post; the column and call site are in place.
 */
export function detectPostLanguage(_text: string): string | null {
  return null
}
