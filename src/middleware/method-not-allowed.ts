import { TrieRouter } from 'hono/router/trie-router'

/** What is read of a Hono app: its registered routes (sub-apps included, with full paths). */
type RoutedApp = { routes: ReadonlyArray<{ method: string; path: string }> }

/**
 * The methods the app answers at `path`, derived from its registered routes (so a route any
 * area adds later is covered without a list to keep). Middleware and catch-alls registered for
 * every method (`ALL`) do not count: they say nothing about what the path itself accepts.
 * A GET route also answers HEAD (Hono runs it and drops the body). Empty: the path is unknown.
 */
export function allowedMethods(app: RoutedApp, path: string): string[] {
  const router = routerOf(app)
  // Every route was added under one key with its method as the "handler": one search finds
  // all the routes whose pattern matches the path, whatever their method.
  const methods = new Set(router.match('GET', path)[0].map(([method]) => method))
  if (methods.has('GET')) methods.add('HEAD')
  return [...methods].sort()
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
