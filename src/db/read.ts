import type { BatchItem } from 'drizzle-orm/batch'
import type { Db } from './client'

/**
 * One read a page needs: the Drizzle query and what its rows become (a `Page`, one row or
 * null, a boolean). Keeping the two together lets a page send its reads in one `db.batch`
 * with the session lookup (one D1 round trip, see middleware/session.ts) while the query
 * functions stay usable on their own (`runRead`).
 */
export type Read<T> = { query: BatchItem<'sqlite'>; shape: (rows: never) => T }

/** What a `Read` (or an absent one) yields. */
export type ReadResult<R> = R extends Read<infer T> ? T : null

export function read<Q extends BatchItem<'sqlite'>, T>(query: Q, shape: (rows: Awaited<Q>) => T): Read<T> {
  return { query, shape: shape as (rows: never) => T }
}

/** Runs one read on its own (one round trip). */
export async function runRead<T>(r: Read<T>): Promise<T> {
  return r.shape((await r.query) as never)
}

/**
 * Runs `statements` (a Drizzle query each) and `reads` in one `db.batch`: one round trip,
 * one implicit transaction. Returns the statements' raw results and the reads' shaped ones;
 * an absent read (null) yields null.
 */
export async function batchReads<R extends ReadonlyArray<Read<unknown> | null>>(
  db: Db,
  statements: BatchItem<'sqlite'>[],
  reads: R,
): Promise<{ raw: unknown[]; results: { [K in keyof R]: ReadResult<R[K]> } }> {
  const present = reads.filter((r): r is Read<unknown> => r !== null)
  const items = [...statements, ...present.map((r) => r.query)]
  const [first, ...rest] = items
  const all = first ? ((await db.batch([first, ...rest])) as unknown[]) : []
  const raw = all.slice(0, statements.length)
  let next = statements.length
  const results = reads.map((r) => (r === null ? null : r.shape(all[next++] as never)))
  return { raw, results: results as { [K in keyof R]: ReadResult<R[K]> } }
}
