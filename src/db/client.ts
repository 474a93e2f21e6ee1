import { drizzle } from 'drizzle-orm/d1'

/** What the app queries through: the D1 binding itself, or one Sessions API session of it. */
export type D1Client = D1Database | D1DatabaseSession

/**
 * Builds the app's Drizzle client over the binding or over a session (`env.DB.withSession`,
 * read replication: see middleware/db.ts). With `stats` (only `npm run bench` and tests pass
 * one) every statement also adds what D1 reports in `meta` — rows read and written — to it.
 * Without it the client is used as is: production pays nothing for the counting.
 */
export function createDb(d1: D1Client, stats?: D1Stats) {
  // Drizzle 0.45's D1 driver is typed for the binding only, but it calls nothing but
  // `prepare()` and `batch()`, which a session has too. The client has no schema: the app
  // writes every query with the query builder (no `db.query.<table>` relational queries),
  // and a client with a schema builds a relational query builder for each table when it is
  // made — once per request here, since each request has its own D1 session.
  return drizzle((stats ? countingD1(d1, stats) : d1) as D1Database)
}

/**
 * A Drizzle client over a session that starts at the primary: for queue consumers and cron,
 * which must see every write already made (a replica may lag behind).
 */
export function createPrimaryDb(d1: D1Database) {
  return createDb(d1.withSession('first-primary'))
}

export type Db = ReturnType<typeof createDb>

/**
 * What D1 said it did while serving one request (summed over its statements). `roundTrips`
 * counts calls to D1: a statement run alone is one, a whole `db.batch` is one.
 */
export type D1Stats = { queries: number; roundTrips: number; rowsRead: number; rowsWritten: number; durationMs: number }

export function newD1Stats(): D1Stats {
  return { queries: 0, roundTrips: 0, rowsRead: 0, rowsWritten: 0, durationMs: 0 }
}

/**
 * A `Server-Timing` entry for the stats, e.g. `d1;dur=0.4;queries=2;rows_read=80;rows_written=0`
 * (`dur`: D1's own SQL duration, as it reports it in `meta.duration`).
 */
export function d1StatsServerTiming(stats: D1Stats): string {
  const dur = Math.round(stats.durationMs * 1000) / 1000
  return `d1;dur=${dur};queries=${stats.queries};rows_read=${stats.rowsRead};rows_written=${stats.rowsWritten};round_trips=${stats.roundTrips}`
}

function addMeta(stats: D1Stats, meta: Partial<D1Meta> | undefined): void {
  stats.queries += 1
  stats.rowsRead += meta?.rows_read ?? 0
  stats.rowsWritten += meta?.rows_written ?? 0
  stats.durationMs += meta?.duration ?? 0
}

const READ_ONLY = /^\s*(select|with)\b/i

/**
 * A D1 statement that reports `meta` to the stats. Drizzle runs selects through `raw()`,
 * which returns bare arrays and no `meta`. `all()` has the meta, but its rows are objects
 * keyed by column name, and a join selecting `posts.id` and `users.id` would lose one of
 * them — so a read is run once with `all()` for the meta and again with `raw()` for the
 * rows (counted once). A write must not run twice: its `raw()` comes from `all()`, whose
 * RETURNING columns are one table's and so have distinct names.
 */
class CountingStatement {
  constructor(
    readonly inner: D1PreparedStatement,
    private readonly sql: string,
    private readonly stats: D1Stats,
  ) {}

  bind(...values: unknown[]): CountingStatement {
    return new CountingStatement(this.inner.bind(...values), this.sql, this.stats)
  }

  async all<T>(): Promise<D1Result<T>> {
    const result = await this.inner.all<T>()
    addMeta(this.stats, result.meta)
    this.stats.roundTrips += 1
    return result
  }

  async run<T>(): Promise<D1Result<T>> {
    const result = await this.inner.run<T>()
    addMeta(this.stats, result.meta)
    this.stats.roundTrips += 1
    return result
  }

  async first<T>(column?: string): Promise<T | null> {
    const { results } = await this.all<Record<string, unknown>>()
    const row = results[0]
    if (row === undefined) return null
    return (column === undefined ? row : row[column]) as T | null
  }

  async raw<T>(options?: { columnNames?: boolean }): Promise<T[]> {
    if (READ_ONLY.test(this.sql)) {
      await this.all()
      return options?.columnNames ? ((await this.inner.raw({ columnNames: true })) as T[]) : await this.inner.raw<T>()
    }
    const { results } = await this.all<Record<string, unknown>>()
    const rows = results.map((row) => Object.values(row))
    if (options?.columnNames) return [Object.keys(results[0] ?? {}), ...rows] as T[]
    return rows as T[]
  }
}

function countingD1(d1: D1Client, stats: D1Stats): D1Client {
  // Only prepare() and batch() are used by Drizzle; a session has nothing else.
  const counting = {
    prepare: (sql: string) => new CountingStatement(d1.prepare(sql), sql, stats),
    async batch<T>(statements: D1PreparedStatement[]): Promise<D1Result<T>[]> {
      const inner = statements.map((s) => (s instanceof CountingStatement ? s.inner : s))
      const results = await d1.batch<T>(inner)
      for (const result of results) addMeta(stats, result.meta)
      stats.roundTrips += 1
      return results
    },
    getBookmark: () => ('getBookmark' in d1 ? d1.getBookmark() : null),
  }
  return counting as unknown as D1DatabaseSession
}
