import type { z } from 'zod'
import { isMessageKey, type MessageKey } from './i18n'

export type FieldErrors<K extends string = string> = Partial<Record<K, MessageKey>>

/**
 * Validates form fields with a zod schema whose messages are catalog keys. Returns the
 * data, or the first error of each field (as a key, translated by the view).
 */
export function validateForm<S extends z.ZodType<Record<string, unknown>>>(
  schema: S,
  input: Record<string, unknown>,
): { ok: true; data: z.output<S> } | { ok: false; errors: FieldErrors } {
  const result = schema.safeParse(input)
  if (result.success) return { ok: true, data: result.data }
  const errors: FieldErrors = {}
  for (const issue of result.error.issues) {
    const field = String(issue.path[0] ?? '_')
    if (errors[field]) continue
    errors[field] = isMessageKey(issue.message) ? issue.message : 'forms.invalid'
  }
  return { ok: false, errors }
}

/** Reads an urlencoded or multipart body into plain strings (files are ignored). */
export async function readForm(req: { parseBody: () => Promise<Record<string, unknown>> }) {
  const body = await req.parseBody().catch(() => ({}) as Record<string, unknown>)
  const out: Record<string, string> = {}
  for (const [key, value] of Object.entries(body)) {
    if (typeof value === 'string') out[key] = value
  }
  return out
}

/** Counts user-perceived characters, not UTF-16 code units or bytes. */
export function characterCount(text: string): number {
  let count = 0
  for (const _ of new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(text)) count++
  return count
}
