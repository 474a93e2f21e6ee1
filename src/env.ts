import { createFactory } from 'hono/factory'
import type { RequestIdVariables } from 'hono/request-id'
import type { Db } from './db/client'
import type { Session, User } from './db/schema'
import type { Lang, MessageKey, Translate } from './lib/i18n'
import type { SessionToken } from './lib/session-token'

/**
 * The Worker's bindings. Those declared in wrangler.toml are typed by `wrangler types`
 * (worker-configuration.d.ts, generated: `npm run types`; `npm test` fails when it is out of
 * date), which is also how the `MEMBER_HUB` Durable Object's class type reaches this file
 * without an import. Below are the optional variables that wrangler.toml leaves out
 * because the code has a default for them, and the secrets.
 */
export type Bindings = Env & {
  /** Followers above which a post is delivered through FANOUT_QUEUE (default 1000). */
  FANOUT_THRESHOLD?: string
  /** Timelines per fan-out chunk, at most 1000 (the default). */
  FANOUT_CHUNK?: string
  /**
   * Seconds an anonymous page stays in the edge cache (middleware/edge-cache.ts); default 15,
   * `0` switches the cache off (the test suite does, but for the cache's own tests).
   */
  EDGE_CACHE_TTL?: string
  /** `1` only in the benchmark: adds D1 rows read to `Server-Timing` (see db/client.ts). */
  BENCH_D1_STATS?: string
  /** Seconds before the first email delivery retry (doubling after); default 30. */
  EMAIL_RETRY_BASE_SECONDS?: string
  /** Seconds before the first retry of a failed job slice (doubling after); default 10. */
  JOB_RETRY_BASE_SECONDS?: string
  /** A secret (`wrangler secret put SMTP_PASSWORD`); never logged, never in a message. */
  SMTP_PASSWORD?: string
  /** Hourly API request allowance per token / per anonymous IP (D1 windows); defaults in features/api. */
  API_HOURLY_LIMIT?: string
  API_ANON_HOURLY_LIMIT?: string
}

export type Variables = RequestIdVariables & {
  db: Db
  lang: Lang
  t: Translate
  user: User | null
  session: Session | null
  /** A session cookie not yet checked: the page's `withSessionBatch` will (middleware/session.ts). */
  pendingSession: SessionToken | null
  flash: MessageKey | null
}

export type AppEnv = { Bindings: Bindings; Variables: Variables }

export const factory = createFactory<AppEnv>()
