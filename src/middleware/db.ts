import type { MiddlewareHandler } from 'hono'
import { createDb, d1StatsServerTiming, newD1Stats, type Db } from '../db/client'
import type { Bindings } from '../env'

/**
 * Puts the Drizzle client on `c.var.db`. BENCH_D1_STATS is set only by `npm run bench`:
 * then every answer reports D1's rows read in `Server-Timing`.
 */
export const withDb: MiddlewareHandler<{ Bindings: Bindings; Variables: { db: Db } }> = async (c, next) => {
  const stats = c.env.BENCH_D1_STATS === '1' ? newD1Stats() : undefined
  c.set('db', createDb(c.env.DB, stats))
  await next()
  if (stats) c.header('Server-Timing', d1StatsServerTiming(stats), { append: true })
}
