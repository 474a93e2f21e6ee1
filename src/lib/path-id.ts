/**
 * A row id as a URL path writes it (`/post/42`, `/api/users/7`): 1–15 digits without a
 * leading zero. Fifteen digits stay below 2^53, so the number is exact; anything else
 * (`0`, `007`, `1e3`, ` 7`) names no row.
 */
export const PATH_ID_PATTERN = /^[1-9]\d{0,14}$/

/** The id in a path segment, or null when the segment is not one (the caller answers 404). */
export function parsePathId(raw: string | undefined): number | null {
  return raw !== undefined && PATH_ID_PATTERN.test(raw) ? Number(raw) : null
}
