/**
 * The page a request was sent from, as a same-origin path with its query: htmx names it in
 * `HX-Current-URL`, a plain form post in `Referer` (sent for same-origin requests: the
 * Referrer-Policy is `same-origin`). Anything from another origin, or unparsable, is
 * `undefined`. Callers still pass the result through `safeNext` before redirecting.
 */
export function referringPath(
  requestUrl: string,
  headers: { hxCurrentUrl?: string | undefined; referer?: string | undefined },
) {
  const from = headers.hxCurrentUrl ?? headers.referer
  if (!from) return undefined
  try {
    const url = new URL(from)
    return url.origin === new URL(requestUrl).origin ? url.pathname + url.search : undefined
  } catch {
    return undefined
  }
}
