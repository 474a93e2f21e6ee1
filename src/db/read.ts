import { Param, Placeholder, SQL, type SQLChunk } from 'drizzle-orm'
import type { BatchItem } from 'drizzle-orm/batch'
import type { Db } from './client'

/**
 * One read a page needs: how to run it and what its rows become (a `Page`, one row or null,
 * a boolean). Keeping the two together lets a page send its reads in one `db.batch` with
 * the session lookup (one D1 round trip, see middleware/session.ts) while the query
 * functions stay usable on their own (`runRead`).
 *
 * Two kinds: a Drizzle query (`read()`), or — for the reads every page makes — a cached
 * statement (`cachedRead()`): its SQL text is built by Drizzle once per isolate and kept
 * under a name, and its rows are mapped by hand. Building a query through Drizzle's builder
 * and mapping its rows with `mapResultRow` was 0.2–0.4 ms of JS per page in
 * `npm run bench -- --profile`, more than the page's SQLite work in the app isolate.
 */
export type Read<T> = DrizzleRead<T> | CachedRead<T>

type DrizzleRead<T> = { query: BatchItem<'sqlite'>; shape: (rows: never) => T }
type CachedRead<T> = { statement: D1PreparedStatement; shape: (result: D1Result<Row>) => T }

/** What a `Read` (or an absent one) yields. */
export type ReadResult<R> = R extends Read<infer T> ? T : null

export function read<Q extends BatchItem<'sqlite'>, T>(query: Q, shape: (rows: Awaited<Q>) => T): Read<T> {
  return { query, shape: shape as (rows: never) => T }
}

/**
 * A row as D1 returns it, keyed by result column name (inside a `db.batch` D1 gives only
 * objects, so the same mapping serves a read run alone). Cells are SQLite's values as they
 * are: INTEGER → number, TEXT → string, NULL → null.
 */
export type Row = Readonly<Record<string, unknown>>

/** Values of a statement's placeholders, by placeholder name. */
export type Values = Record<string, unknown>

/**
 * A cached statement: `key` names its SQL text — the query and the shape of its arguments
 * (`home:session:before`), never their values. `build` makes the Drizzle query with
 * placeholders (`sql.placeholder`) for every value; it runs only when the key is not cached.
 * `values` are bound to the placeholders by name; `row` maps one result row.
 */
export type Statement<R> = {
  key: string
  build: () => { toSQL(): { sql: string; params: unknown[] } }
  values: Values
  row: (row: Row) => R
}

type Slot = { name: string; encode: ((value: unknown) => unknown) | null }
type Compiled = { sql: string; slots: Slot[] }

/**
 * The most SQL texts kept. The keys are a fixed set (a few queries × the shapes of their
 * arguments: about 25), so this is only a backstop: should a key ever carry a value by
 * mistake, the cache is emptied when full instead of growing with the traffic.
 */
export const MAX_CACHED_STATEMENTS = 64

const compiledByKey = new Map<string, Compiled>()

/** How many SQL texts are cached (for tests). */
export function cachedStatementCount(): number {
  return compiledByKey.size
}

function compile<R>(statement: Statement<R>): Compiled {
  const cached = compiledByKey.get(statement.key)
  if (cached) return cached
  const query = statement.build().toSQL()
  const compiled = { sql: query.sql, slots: query.params.map((param, i) => slotOf(statement.key, param, i)) }
  if (compiledByKey.size >= MAX_CACHED_STATEMENTS) compiledByKey.clear()
  compiledByKey.set(statement.key, compiled)
  return compiled
}

/**
 * Every parameter of a cached statement must be a placeholder: a value written into the
 * query would be cached with the text and then bound for every later request.
 */
function slotOf(key: string, param: unknown, index: number): Slot {
  if (param instanceof Placeholder) return { name: param.name as string, encode: null }
  if (param instanceof Param && param.value instanceof Placeholder) {
    const encoder = param.encoder
    return { name: param.value.name as string, encode: (value) => encoder.mapToDriverValue(value) }
  }
  throw new Error(`statement ${key}: parameter ${index + 1} is a value, not a placeholder`)
}

/** The statement's cached SQL with its values bound, over the request's D1 client. */
export function prepareStatement<R>(db: Db, statement: Statement<R>): D1PreparedStatement {
  const { sql, slots } = compile(statement)
  const args: unknown[] = new Array(slots.length)
  for (let i = 0; i < slots.length; i++) {
    const slot = slots[i]!
    if (!(slot.name in statement.values)) throw new Error(`statement ${statement.key}: no value for ${slot.name}`)
    const value = statement.values[slot.name]
    args[i] = slot.encode ? slot.encode(value) : value
  }
  return db.$client.prepare(sql).bind(...args)
}

/** A read of a cached statement; `shape` gets the mapped rows. */
export function cachedRead<R, T>(db: Db, statement: Statement<R>, shape: (rows: R[]) => T): Read<T> {
  const row = statement.row
  return {
    statement: prepareStatement(db, statement),
    shape: (result: D1Result<Row>) => shape(result.results.map(row)),
  }
}

/**
 * A value a cached statement compares with, given as an SQL expression: a subquery such as
 * "the member of this session" or "the member with this username". `template` is the
 * expression with placeholders (one SQL text for every request), `values` fill them, and
 * `key` names the expression's shape in the statement's key. It is also an ordinary
 * Drizzle `SQL` with the values bound, so a Drizzle-built read can use it like any SQL.
 */
export class Expr extends SQL {
  constructor(
    readonly key: string,
    readonly template: SQL,
    readonly values: Values,
  ) {
    super([])
  }
}

// The bound SQL is built only when Drizzle reads it (a Drizzle-built read): a cached
// statement needs only `template` and `values`, and building it (new SQL objects, Drizzle's
// `is()` on every chunk) cost more than the rest of the expression. SQL's constructor
// assigns `queryChunks`, hence the no-op setter.
Object.defineProperty(Expr.prototype, 'queryChunks', {
  get(this: Expr & { bound?: SQLChunk[] }) {
    return (this.bound ??= [bindValues(this.template, this.values)])
  },
  set() {},
})

function bindValues(chunk: SQLChunk, values: Values): SQLChunk {
  if (chunk instanceof Placeholder) return new Param(values[chunk.name as string])
  if (chunk instanceof SQL) return new SQL(chunk.queryChunks.map((c) => bindValues(c, values)))
  if (Array.isArray(chunk)) return chunk.map((c) => bindValues(c, values))
  return chunk
}

/** An id a cached statement compares with: a number, or an expression (`Expr`). */
export type IdArg = number | Expr

/**
 * The parts of a cached statement for an id argument: its shape for the key, what to put
 * in the query (the placeholder `name`, or the expression's template) and its values.
 */
export function idArg(name: string, id: IdArg): { key: string; sql: SQL | Placeholder; values: Values } {
  if (typeof id === 'number') return { key: 'id', sql: new Placeholder(name), values: { [name]: id } }
  return { key: id.key, sql: id.template, values: id.values }
}

/** Merges the values of a statement's parts; one name with two different values is a bug. */
export function mergeValues(...parts: Values[]): Values {
  const merged: Values = {}
  for (const part of parts) {
    for (const name in part) {
      if (name in merged && merged[name] !== part[name]) throw new Error(`placeholder ${name} has two values`)
      merged[name] = part[name]
    }
  }
  return merged
}

/** Runs one read on its own (one round trip). */
export async function runRead<T>(r: Read<T>): Promise<T> {
  if ('statement' in r) return r.shape(await r.statement.all<Row>())
  return r.shape((await r.query) as never)
}

/** What Drizzle's D1 driver does with a query in `db.batch` (drizzle-orm 0.45, d1/session). */
type DrizzlePrepared = {
  stmt: D1PreparedStatement
  getQuery(): { params: unknown[] }
  mapResult(result: unknown, isFromBatch: boolean): unknown
}

/**
 * Runs `reads` in one batch: one round trip, one implicit transaction; an absent read
 * (null) yields null. The batch goes to D1 directly, Drizzle-built reads prepared the way
 * Drizzle's own `db.batch` does, so both kinds mix.
 */
export async function batchReads<R extends ReadonlyArray<Read<unknown> | null>>(
  db: Db,
  reads: R,
): Promise<{ [K in keyof R]: ReadResult<R[K]> }> {
  const items = reads.filter((r): r is Read<unknown> => r !== null).map((r) => ('statement' in r ? r : drizzleRead(r)))
  const answers = items.length > 0 ? await db.$client.batch<Row>(items.map((item) => item.statement)) : []
  let next = 0
  const results = reads.map((r) => (r === null ? null : items[next]!.shape(answers[next++]!)))
  return results as { [K in keyof R]: ReadResult<R[K]> }
}

function drizzleRead(r: DrizzleRead<unknown>): CachedRead<unknown> {
  const prepared = (r.query as unknown as { _prepare(): DrizzlePrepared })._prepare()
  return {
    statement: prepared.stmt.bind(...prepared.getQuery().params),
    shape: (result) => r.shape(prepared.mapResult(result, true) as never),
  }
}
