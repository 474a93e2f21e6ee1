import { TrieRouter } from 'hono/router/trie-router'

/** What is read of a Hono app: its registered routes (sub-apps included, with full paths). */
type RoutedApp = { routes: ReadonlyArray<{ method: string; path: string }> }

/**
 * The methods the app answers at `path`, derived from its registered routes (so a route any
 * area adds later is covered without a list to keep). Middleware and catch-alls registered for
 * every method (`ALL`) do not count: they say nothing about what the path itself accepts.
 * A GET route also answers HEAD (Hono runs it and drops the body); `everywhere` adds methods
 * the app answers on every path (the API's CORS preflight, OPTIONS). GET comes first, the
 * rest in alphabetical order, so the same path always gets the same `Allow`. Empty: the path
 * is unknown.
 */
export function allowedMethods(app: RoutedApp, path: string, everywhere: readonly string[] = []): string[] {
  const router = routerOf(app)
  // Every route was added under one key with its method as the "handler": one search finds
  // all the routes whose pattern matches the path, whatever their method.
  const methods = new Set(router.match('GET', path)[0].map(([method]) => method))
  if (methods.size === 0) return []
  if (methods.has('GET')) methods.add('HEAD')
  for (const method of everywhere) methods.add(method)
  return [...methods].sort((a, b) => (a === 'GET' ? -1 : b === 'GET' ? 1 : a < b ? -1 : a > b ? 1 : 0))
}

/**
 * For a request no route answered: the `Allow` list when the path exists with other methods
 * (a 405, RFC 9110), or null when it is a 404 — the path is unknown, or a handler of this very
 * method answered "not found" itself (an unknown id, a page switched off).
 */
export function methodNotAllowed(
  app: RoutedApp,
  method: string,
  path: string,
  everywhere: readonly string[] = [],
): string[] | null {
  const allowed = allowedMethods(app, path, everywhere)
  return allowed.length === 0 || allowed.includes(method) ? null : allowed
}

const routers = new WeakMap<object, TrieRouter<string>>()

function routerOf(app: RoutedApp): TrieRouter<string> {
  let router = routers.get(app)
  if (!router) {
    router = new TrieRouter<string>()
    for (const route of app.routes) {
      if (route.method === 'ALL') continue
      router.add('GET', route.path, route.method.toUpperCase())
    }
    routers.set(app, router)
  }
  return router
}
