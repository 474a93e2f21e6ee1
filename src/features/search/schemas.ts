import { z } from 'zod'

/** Longest query accepted, in characters (code points): past it → 400, text kept. */
export const QUERY_MAX = 200

/** `q` for the search page; absent means "no search yet" (the hint). */
export const searchQuerySchema = z.string().refine((q) => [...q].length <= QUERY_MAX, { message: 'search.tooLong' })

/** The People section searches only what could start a username. */
export const usernamePrefixSchema = z.string().regex(/^[A-Za-z0-9_]{1,32}$/)

/** What a signed search cursor carries: the last post's score, time and id. */
export const searchCursorSchema = z.object({
  score: z.number().finite(),
  createdAt: z.number().int(),
  id: z.number().int().positive(),
})
