// `npm run bench`: Microblog on workerd directly (Miniflare's API — not `wrangler dev`, which
// is ~20x slower), with a D1 of the reference shape, measured with autocannon.
//
//   npm run bench                                   generated data set (deterministic)
//   npm run bench -- --data ../shared/bench-data    the CSV files of the reference data set
//   npm run bench -- --duration 10 --connections 32 seconds per run, connections of the loaded run
//   npm run bench -- --only 'home|explore'          only the rows whose name matches
//   npm run bench -- --profile-user user0042        whose profile and thread the rows read
//   npm run bench -- --profile                      also a CPU profile of each read row (bench/profile.mjs)
//
// The load goes to the app worker's own socket (Miniflare's `unsafeDirectSockets`), as
// production's front line hands a request to the Worker; Miniflare's dev entry worker, which
// costs more CPU than a small page, is crossed only by the row that measures it.
//
// Every row is run twice after a warm-up: at 1 connection (latency of one reader) and at
// --connections (throughput). For each it reports the workerd process tree's CPU ms per
// request (/proc), D1 queries and rows per request, p50/p99 at both, against the
// targets in bench/report.mjs. Prints a table and writes the same as JSON to bench/results/.
/* global URLSearchParams */
import autocannon from 'autocannon'
import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { BENCH_PASSWORD, BENCH_USER, generateDataset, loadCsvDataset, writeDataset, writeMessages } from './dataset.mjs'
import { openProfiler } from './profile.mjs'
import { cpuMs, rssMiB, settle } from './proc.mjs'
import { TARGETS, checkTargets, printTable } from './report.mjs'
import { COMMON_TERM, PREFIX_TERM, RARE_TERM, addRarePosts, nextSearchHref } from './search.mjs'
import { log, root, startServer } from './server.mjs'
import { writeRows } from './write-rows.mjs'

const options = {
  data: { type: 'string' },
  duration: { type: 'string', default: '5' },
  connections: { type: 'string', default: '32' },
  'profile-user': { type: 'string', default: 'user0001' },
  only: { type: 'string' },
  profile: { type: 'boolean', default: false },
}
const { values: args } = parseArgs({ options })
const DURATION = Number(args.duration)
const CONNECTIONS = Number(args.connections)
const WARMUP_SECONDS = 1
const DEEP_PAGES = 50
const PROFILE_USER = args['profile-user']

/** The href of the "Older posts" link on a page, or null at the end. */
function nextHref(html, base) {
  const match = new RegExp(`href="(${base.replace('?', '\\?')}\\?before=[^"]+)"`).exec(html)
  return match ? match[1].replaceAll('&amp;', '&') : null
}

async function main() {
  const started = Date.now()
  const server = await startServer({ inspector: args.profile, sourceMaps: args.profile })
  const { base, stats, db, pids } = server
  try {
    const data = args.data ? loadCsvDataset(resolve(args.data)) : generateDataset()
    log(`loading ${data.source}`)
    const loadStart = Date.now()
    const counts = await writeDataset(db, data)
    Object.assign(counts, await writeMessages(db, PROFILE_USER))
    const firstPostAt = data.posts.reduce((min, p) => Math.min(min, p.createdAt), Infinity)
    await addRarePosts(db, 1, firstPostAt)
    log(
      `loaded ${counts.users} users, ${counts.follows} follows, ${counts.posts} posts, ` +
        `${counts.timelineEntries} timeline entries in ${((Date.now() - loadStart) / 1000).toFixed(1)} s`,
    )
    const rssAfterLoad = rssMiB(pids)

    // Log in as bench the way a browser does (same-origin POST), keep the cookie.
    const login = await fetch(`${base}/auth/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { Origin: base, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ login: BENCH_USER, password: BENCH_PASSWORD }),
    })
    const cookie = login.headers
      .getSetCookie()
      .map((line) => line.split(';')[0])
      .find((pair) => /session=/.test(pair))
    if (login.status !== 303 || !cookie) throw new Error(`login as ${BENCH_USER} failed: ${login.status}`)

    // An API token for bench, the way a script gets one (HTTP Basic).
    const tokenResponse = await fetch(`${base}/api/tokens`, {
      method: 'POST',
      headers: {
        Authorization: `Basic ${Buffer.from(`${BENCH_USER}:${BENCH_PASSWORD}`).toString('base64')}`,
        'Content-Type': 'application/json',
      },
      body: JSON.stringify({ remember: true }),
    })
    if (tokenResponse.status !== 201) throw new Error(`POST /api/tokens failed: ${tokenResponse.status}`)
    const bearer = { authorization: `Bearer ${(await tokenResponse.json()).token}` }

    /**
     * Follows the cursor up to `pages` times from `path` and returns the deepest *full* page
     * reached (one that still links to an older page), with its page number.
     */
    async function deepPage(path, pages, headers = {}) {
      const urls = [path]
      for (let i = 0; i < pages; i++) {
        const html = await (await fetch(`${base}${urls.at(-1)}`, { headers })).text()
        const next = nextHref(html, path)
        if (!next) {
          urls.pop() // the last page may be short; the one before it is full
          break
        }
        urls.push(next)
      }
      return { url: urls.at(-1), page: urls.length }
    }
    const auth = { cookie }
    const exploreDeep = await deepPage('/explore', DEEP_PAGES, auth)
    const homeDeep = await deepPage('/', DEEP_PAGES, auth)
    // The common word's deepest page (search ranks the newest 1,000 matches: 40 pages).
    const searchDeep = { url: `/search?q=${COMMON_TERM}`, page: 1 }
    for (let next; searchDeep.page < DEEP_PAGES; searchDeep.page++, searchDeep.url = next) {
      next = nextSearchHref(await (await fetch(`${base}${searchDeep.url}`, { headers: auth })).text())
      if (!next) break
    }

    // Page rows are read as a logged-in member: an edge cache for visitors must not be
    // counted. "explore (visitor)" is the anonymous path, cache included.
    const endpoints = [
      { name: 'bare route', path: '/healthz' },
      // What every row would also pay through Miniflare's entry worker (wrangler dev's path).
      { name: "bare via Miniflare's entry", path: '/healthz', base: server.viaEntry },
      // The same route with a session cookie: the session lookup alone.
      { name: 'bare + session', path: '/healthz', headers: auth },
      { name: 'home', path: '/', headers: auth, page: true, cpuTarget: TARGETS.cpuMs.home },
      { name: 'explore', path: '/explore', headers: auth, page: true, cpuTarget: TARGETS.cpuMs.explore },
      {
        name: `explore page ${exploreDeep.page}`,
        path: exploreDeep.url,
        headers: auth,
        page: true,
        cpuTarget: TARGETS.cpuMs.exploreDeep,
        deep: 'explore',
      },
      { name: 'profile', path: `/user/${PROFILE_USER}`, headers: auth, page: true, cpuTarget: TARGETS.cpuMs.profile },
      { name: 'login page', path: '/auth/login', page: true, cpuTarget: TARGETS.cpuMs.login },
      { name: 'explore (visitor)', path: '/explore' },
      // Private messages: the inbox (two index ranges of one page each) and a thread page.
      { name: 'messages', path: '/messages', headers: auth, page: true },
      // Opened from our own pages, as a browser says: the thread is marked read (its writes counted).
      {
        name: 'thread',
        path: `/messages/${PROFILE_USER}`,
        headers: { ...auth, 'sec-fetch-site': 'same-origin' },
        page: true,
      },
      { name: 'api timeline', path: '/api/timeline', headers: bearer },
      { name: 'api explore', path: '/api/explore', headers: bearer },
      { name: 'api search', path: `/api/search?q=${COMMON_TERM}`, headers: bearer },
      { name: 'search common', path: `/search?q=${COMMON_TERM}`, headers: auth },
      { name: 'search rare', path: `/search?q=${RARE_TERM}`, headers: auth },
      { name: 'search prefix', path: `/search?q=${PREFIX_TERM}`, headers: auth },
      { name: `search common page ${searchDeep.page}`, path: searchDeep.url, headers: auth, rowsOnly: true },
      { name: `home page ${homeDeep.page}`, path: homeDeep.url, headers: auth, rowsOnly: true, deep: 'home' },
      // Last: they change the data the rows above read.
      ...(await writeRows({ base, db, data, excludeIds: [1] })),
    ].filter((e) => !args.only || new RegExp(args.only).test(e.name))

    /** Untimed, through the "stats" worker: status, bytes, D1 queries and rows of one request. */
    async function inspect(endpoint) {
      let last
      // A read may write "last seen" the first time: the third answer is the steady state.
      for (let i = 0; i < (endpoint.write ? 1 : 3); i++) {
        const req = endpoint.write
          ? endpoint.sample()
          : { method: 'GET', path: endpoint.path, headers: endpoint.headers }
        const response = await stats.fetch(`${base}${req.path}`, {
          method: req.method,
          headers: req.headers ?? {},
          body: req.body,
          redirect: 'manual',
        })
        const body = await response.arrayBuffer()
        const timing = response.headers.get('server-timing') ?? ''
        const field = (name) => {
          const m = new RegExp(`${name}=([\\d.]+)`).exec(timing)
          return m ? Number(m[1]) : null
        }
        const cache = response.headers.get('cf-cache-status')
        last = {
          status: response.status,
          bytes: body.byteLength,
          queries: field('queries'),
          rowsRead: field('rows_read'),
          rowsWritten: field('rows_written'),
          d1Ms: /d1;dur=([\d.]+)/.test(timing) ? Number(/d1;dur=([\d.]+)/.exec(timing)[1]) : null,
          cacheStatus: cache,
        }
      }
      return last
    }

    /** One autocannon run of a row. */
    function run(endpoint, { connections, duration, amount }) {
      const request = endpoint.write
        ? { method: 'POST', requests: [{ setupRequest: (req) => ({ ...req, ...endpoint.next() }) }] }
        : { headers: endpoint.headers ?? {} }
      return autocannon({
        url: `${endpoint.base ?? base}${endpoint.path ?? '/'}`,
        connections: amount ? Math.min(connections, amount) : connections,
        ...(amount ? { amount } : { duration }),
        ...request,
      })
    }

    /** One autocannon run with the workerd tree's CPU time around it. */
    async function load(endpoint, { connections, duration, amount }) {
      await settle(pids)
      const cpuBefore = cpuMs(pids)
      const result = await run(endpoint, { connections, duration, amount })
      const cpu = cpuMs(pids) - cpuBefore
      const requests = result.requests.total
      return {
        connections: amount ? Math.min(connections, amount) : connections,
        requests,
        requestsPerSecond: Math.round(result.requests.average),
        p50Ms: result.latency.p50,
        p99Ms: result.latency.p99,
        errors: result.errors + result.timeouts + result.non2xx,
        statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([k, v]) => [k, v.count])),
        cpuMs: Math.round(cpu),
        cpuMsPerRequest: requests ? cpu / requests : null,
      }
    }

    const outDir = join(root, 'bench/results')
    mkdirSync(outDir, { recursive: true })
    const profiler = args.profile
      ? await openProfiler(server.mf, { workerName: 'app', bundleDir: server.buildDir, outDir, root })
      : null
    const results = []
    for (const endpoint of endpoints) {
      const inspected = await inspect(endpoint)
      const expected = endpoint.write ? [200] : [200]
      if (!expected.includes(inspected.status)) throw new Error(`${endpoint.name} answered ${inspected.status}`)
      const row = {
        name: endpoint.name,
        path: endpoint.path ?? endpoint.describe,
        page: endpoint.page,
        cpuTarget: endpoint.cpuTarget,
        deep: endpoint.deep,
        ...inspected,
      }
      // A page row that came from an edge cache would not measure the page (flagged).
      if (endpoint.page && inspected.cacheStatus === 'HIT') row.cached = 'HIT'
      if (!endpoint.rowsOnly) {
        log(`${endpoint.name}: ${row.path} — ${DURATION} s at 1, then at ${CONNECTIONS} connections`)
        const plan = endpoint.plan ?? {}
        await load(endpoint, { connections: CONNECTIONS, duration: WARMUP_SECONDS, amount: plan.warmup?.() })
        row.one = await load(endpoint, { connections: 1, duration: DURATION, amount: plan.one?.() })
        row.many = await load(endpoint, { connections: CONNECTIONS, duration: DURATION, amount: plan.many?.() })
        row.cpuMsPerRequest = row.many.cpuMsPerRequest
        row.rssMiB = Math.round(rssMiB(pids))
        // Profiled in a run of its own, so the profiler's overhead stays out of the figures.
        if (profiler && !endpoint.write) {
          row.profile = await profiler.record(endpoint.name, () =>
            run(endpoint, { connections: CONNECTIONS, duration: DURATION }),
          )
        }
      }
      results.push(row)
    }

    const targets = checkTargets(results)
    printTable(results, CONNECTIONS)
    console.log('')
    for (const t of targets) console.log(`${t.ok ? 'met   ' : 'MISSED'}  ${t.check}: ${t.value}`)
    const rssEnd = rssMiB(pids)
    console.log(`\nworkerd RSS: ${Math.round(rssAfterLoad)} MiB after loading, ${Math.round(rssEnd)} MiB at the end`)

    const report = {
      date: new Date().toISOString(),
      machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version },
      options: { durationSeconds: DURATION, connections: CONNECTIONS, warmupSeconds: WARMUP_SECONDS },
      dataset: { source: data.source, ...counts },
      memory: { rssAfterLoadMiB: Math.round(rssAfterLoad), rssEndMiB: Math.round(rssEnd) },
      results,
      targets,
      elapsedSeconds: Math.round((Date.now() - started) / 1000),
    }
    const file = join(outDir, `bench-${report.date.replace(/[:.]/g, '-')}.json`)
    writeFileSync(file, JSON.stringify(report, null, 2) + '\n')
    writeFileSync(join(outDir, 'latest.json'), JSON.stringify(report, null, 2) + '\n')
    console.log(`\nJSON: ${file}`)
    profiler?.close()
    log(`done in ${report.elapsedSeconds} s`)
  } finally {
    await server.close()
  }
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
