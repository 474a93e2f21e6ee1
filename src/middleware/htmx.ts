import type { Context } from 'hono'

/** True for any request htmx sent. */
export function isHtmx(c: Context): boolean {
  return c.req.header('HX-Request') === 'true'
}

/**
 * True when htmx asked for part of a page. Boosted requests and history restores want the
 * whole page, so they are not fragment requests.
 */
export function isHtmxFragmentRequest(c: Context): boolean {
  return isHtmx(c) && c.req.header('HX-Boosted') !== 'true' && c.req.header('HX-History-Restore-Request') !== 'true'
}
