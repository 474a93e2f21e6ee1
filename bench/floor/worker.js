/* global URL, Response */
// The smallest workers the bench's harness can run: no framework, one route per way of
// reaching local D1. `npm run bench:floor` measures what each costs the workerd process.
export default {
  async fetch(request, env) {
    const { pathname } = new URL(request.url)
    switch (pathname) {
      case '/none':
        return new Response('ok')
      case '/d1':
        return new Response(String(await env.DB.prepare('SELECT 1 AS x').first('x')))
      case '/d1-batch':
        return new Response(
          String((await env.DB.batch([env.DB.prepare('SELECT 1 AS x'), env.DB.prepare('SELECT 2 AS x')])).length),
        )
      case '/d1-session': {
        const session = env.DB.withSession('first-unconstrained')
        return new Response(String(await session.prepare('SELECT 1 AS x').first('x')))
      }
      case '/d1-session-primary': {
        const session = env.DB.withSession('first-primary')
        return new Response(String(await session.prepare('SELECT 1 AS x').first('x')))
      }
      default:
        return new Response('not found', { status: 404 })
    }
  },
}
