import { fillPlaceholders, type Query } from 'drizzle-orm'
import type { Db } from './client'

// How the app reads. Most reads are Drizzle's query builder, awaited where they are written,
// and reads or writes that belong together go in one `db.batch`. The reads every page makes
// are the exception this file is for: a page sends them in ONE round trip together with the
// session lookup (middleware/session.ts), and building them through the query builder on
// every request cost more CPU than the page's SQLite work. So each is a Drizzle prepared
// query (`.prepare()` with `sql.placeholder`s), built once per isolate, and bound per request:
//
//   const byId = prepareOnce((db) =>
//     db.select().from(users).where(eq(users.id, sql.placeholder('id'))).prepare())
//   const read = bind(db, byId(db), { id }, (rows) => rows[0] ?? null)
//   const [user] = await runBatch(db, [read])     // or runStatement(read) on its own
//
// Only Drizzle's public API is used: the prepared query's `getQuery()` (its SQL and
// parameters, placeholders included), the exported `fillPlaceholders`, and `mapResult`,
// which turns D1's answer into the same rows `execute()` gives. A prepared query cannot be
// run as such: it belongs to the D1 client it was prepared on (the first request's), while
// each request reads through its own D1 session (read replication, middleware/db.ts).

/** What is needed of a Drizzle prepared query (D1's `.prepare()` result); `R` is what it yields. */
export type Prepared<R> = {
  getQuery(): Query
  mapResult(response: unknown, isFromBatch?: boolean): unknown
  execute(placeholderValues?: Record<string, unknown>): Promise<R>
}

/**
 * Returns the prepared query (or queries) of a variant, building it the first time. A
 * variant names one SQL text (e.g. `'session', 'before'`: the viewer given by a session
 * cookie, a page after a cursor). `build` sees only the variant, never a request's values,
 * which go to `bind`; keep variants to a fixed set of string literals, so that the queries
 * kept per isolate stay few.
 */
export function prepareOnce<V extends string[], P>(build: (db: Db, ...variant: V) => P): (db: Db, ...variant: V) => P {
  const built = new Map<string, P>()
  return (db, ...variant) => {
    const key = variant.join(' ')
    let prepared = built.get(key)
    if (!prepared) {
      prepared = build(db, ...variant)
      built.set(key, prepared)
    }
    return prepared
  }
}

/** One statement of a request: bound on the request's D1 client, and what its answer becomes. */
export type Statement<T> = { statement: D1PreparedStatement; result: (response: D1Result) => T }

/**
 * Binds a prepared query's placeholders to `values` on the request's D1 client. `shape`
 * gets the rows exactly as Drizzle maps them (the prepared query's `mapResult`) and makes
 * them what the caller wants: a page, one row or null, a boolean. A placeholder without a
 * value throws.
 */
export function bind<R, T = R>(
  db: Db,
  query: Prepared<R>,
  values: Record<string, unknown>,
  shape: (rows: R) => T = (rows) => rows as unknown as T,
): Statement<T> {
  const { sql, params } = query.getQuery()
  return {
    statement: db.$client.prepare(sql).bind(...fillPlaceholders(params, values)),
    // D1 answers a statement run alone (`all()`) or in a batch alike: rows as objects keyed
    // by column name, which is what Drizzle's D1 driver expects of a batch's results. So
    // a statement's columns need distinct names (`sql<...>`.as('name') where two would clash).
    result: (response) => shape(query.mapResult(response, true) as R),
  }
}

/** Runs one statement on its own (one round trip). */
export async function runStatement<T>(s: Statement<T>): Promise<T> {
  return s.result(await s.statement.all())
}

/** What a statement (or a null in its place) yields in `runBatch`. */
export type ResultOf<S> = S extends Statement<infer T> ? T : null

/** What `runBatch` yields for each place. */
export type BatchResults<S extends ReadonlyArray<Statement<unknown> | null>> = { [K in keyof S]: ResultOf<S[K]> }

/**
 * Runs statements in one D1 batch: one round trip, in order, in one implicit transaction.
 * A null (a read the page skips, e.g. the viewer's state for a visitor) yields null.
 */
export async function runBatch<S extends ReadonlyArray<Statement<unknown> | null>>(
  db: Db,
  statements: readonly [...S],
): Promise<BatchResults<S>> {
  const sent = statements.filter((s): s is Statement<unknown> => s !== null)
  const answers = sent.length > 0 ? await db.$client.batch(sent.map((s) => s.statement)) : []
  let next = 0
  return statements.map((s) => (s === null ? null : s.result(answers[next++]!))) as BatchResults<S>
}
