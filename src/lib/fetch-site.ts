/**
 * Whether a request was started by the member on our own site — a link or form on one of
 * our pages, or the address bar or a bookmark — rather than by another site. A GET that
 * changes anything the member would notice (marking a thread read) asks this first: any
 * site can make a browser GET one of our URLs with the member's cookies (a link, a
 * redirect, a prefetch), and SameSite=Lax cookies go along on top-level navigations.
 *
 * Browsers say where a request comes from in `Sec-Fetch-Site`, which a page cannot set:
 * `same-origin` and `none` (typed, bookmarked) are the member's own; `cross-site` and
 * `same-site` (a sibling subdomain may be someone else's) are not. A browser too old to
 * send it sends `Referer` for same-origin requests (our Referrer-Policy is `same-origin`),
 * so there a same-origin Referer is required; a missing one (a foreign page asking for
 * none) counts as foreign.
 */
export function isOwnNavigation(
  requestUrl: string,
  headers: { secFetchSite?: string | undefined; referer?: string | undefined },
): boolean {
  const site = headers.secFetchSite?.trim().toLowerCase()
  if (site) return site === 'same-origin' || site === 'none'
  if (!headers.referer) return false
  try {
    return new URL(headers.referer).origin === new URL(requestUrl).origin
  } catch {
    return false
  }
}
