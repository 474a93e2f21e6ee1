import { createFactory } from 'hono/factory'
import type { RequestIdVariables } from 'hono/request-id'
import type { Db } from './db/client'
import type { Session, User } from './db/schema'
import type { MemberHub } from './features/live/hub'
import type { Lang, MessageKey, Translate } from './lib/i18n'
import type { SessionToken } from './lib/session'

export type Bindings = {
  DB: D1Database
  EMAIL_QUEUE: Queue<unknown>
  /** Background jobs (exports, account deletions); messages carry only a job id. */
  JOBS_QUEUE: Queue<unknown>
  /** Timeline delivery of big authors' posts in chunks (features/posts/fanout.ts); ids only. */
  FANOUT_QUEUE: Queue<unknown>
  /** Followers above which a post is delivered through FANOUT_QUEUE (default 1000). */
  FANOUT_THRESHOLD?: string
  /** Timelines per fan-out chunk, at most 1000 (the default). */
  FANOUT_CHUNK?: string
  /** Export archives, private: served only through the owner-checked download route. */
  EXPORTS: R2Bucket
  ASSETS?: Fetcher
  /** One `MemberHub` Durable Object per member: their live WebSockets (features/live). */
  MEMBER_HUB?: DurableObjectNamespace<MemberHub>
  /** `development` enables dev-only pages and plain-http cookies on localhost. */
  ENVIRONMENT?: string
  /**
   * Workers AI, for translating posts. Bound only in `[env.production]`: in the default
   * config it makes offline `wrangler dev` fail. Absent → "translation is not available".
   */
  AI?: Ai
  /**
   * Seconds an anonymous page stays in the edge cache (middleware/edge-cache.ts); default 15,
   * `0` switches the cache off (the test suite does, but for the cache's own tests).
   */
  EDGE_CACHE_TTL?: string
  /** `1` only in the benchmark: adds D1 rows read to `Server-Timing` (see db/client.ts). */
  BENCH_D1_STATS?: string
  /** Email delivery (see README "Configuration"): `smtp` or `log` (the local default). */
  EMAIL_TRANSPORT?: string
  /** Seconds before the first delivery retry (doubling after); default 30. */
  EMAIL_RETRY_BASE_SECONDS?: string
  SMTP_HOST?: string
  SMTP_PORT?: string | number
  /** `none` | `starttls` | `tls`. */
  SMTP_SECURE?: string
  SMTP_USER?: string
  /** A secret (`wrangler secret put SMTP_PASSWORD`); never logged, never in a message. */
  SMTP_PASSWORD?: string
  /** The sender, `Name <address>` or a bare address. */
  MAIL_FROM?: string
  /** Comma-separated addresses that receive error alerts. */
  ADMINS?: string
  /** Absolute links in emails start here; empty means the request's own origin. */
  BASE_URL?: string
  /** Burst limits of the REST API (`[[ratelimits]]` in wrangler.toml); absent → skipped. */
  API_IP_LIMITER?: RateLimit
  API_TOKEN_LIMITER?: RateLimit
  /** Hourly API request allowance per token / per anonymous IP (D1 windows); defaults in features/api. */
  API_HOURLY_LIMIT?: string
  API_ANON_HOURLY_LIMIT?: string
  /** HMAC key of the opaque search cursors (a secret in production; see README). */
  CURSOR_SECRET?: string
  /** Workers Rate Limiting binding for searches per address (`[[ratelimits]]`). */
  SEARCH_RATE_LIMITER?: RateLimit
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
