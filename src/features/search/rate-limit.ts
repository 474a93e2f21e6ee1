import type { Bindings } from '../../env'
import { ipBucket } from '../../lib/ip-bucket'

/** The binding's period: how long a refused searcher should wait (Retry-After). */
export const SEARCH_RETRY_SECONDS = 10

/**
 * Searching costs D1 reads, so each key (an address, or an API token) gets
 * SEARCH_RATE_LIMITER's allowance (the Workers Rate Limiting binding, 30 per 10 s in
 * wrangler.toml). A missing binding (the benchmark's plain workerd set-up) means no limit.
 */
export async function searchAllowed(env: Pick<Bindings, 'SEARCH_RATE_LIMITER'>, key: string): Promise<boolean> {
  const limiter = env.SEARCH_RATE_LIMITER
  if (!limiter) return true
  const { success } = await limiter.limit({ key })
  return success
}

/**
 * The rate-limit key of an address: the page and anonymous API calls share it. An IPv6
 * client counts as its whole /64, or it could search from a new address every time.
 */
export const searchKeyForIp = (ip: string) => `search:${ipBucket(ip)}`
