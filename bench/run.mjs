// `npm run bench`: Microblog on workerd directly (Miniflare's API — not `wrangler dev`, which
// is ~20x slower), with a D1 of the reference shape, measured with autocannon.
//
//   npm run bench                                   generated data set (deterministic)
//   npm run bench -- --data ../shared/bench-data    the CSV files of the reference data set
//   npm run bench -- --duration 20 --connections 32
//   npm run bench -- --profile                      also a CPU profile of each row (bench/profile.mjs)
//
// Prints a table and writes the same as JSON to bench/results/. Nothing is left behind:
// the bundle and the database live in a temporary folder removed at the end.
/* global URLSearchParams */
import autocannon from 'autocannon'
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { Miniflare, convertV4MiniflareOptions } from 'miniflare'
import { unstable_readConfig } from 'wrangler'
import { BENCH_PASSWORD, BENCH_USER, generateDataset, loadCsvDataset, writeDataset, writeMessages } from './dataset.mjs'
import { openProfiler } from './profile.mjs'
import { COMMON_TERM, PREFIX_TERM, RARE_TERM, addRarePosts, nextSearchHref } from './search.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const wranglerBin = join(root, 'node_modules/wrangler/bin/wrangler.js')

const { values: args } = parseArgs({
  options: {
    data: { type: 'string' },
    duration: { type: 'string', default: '12' },
    connections: { type: 'string', default: '32' },
    'profile-user': { type: 'string', default: 'user0001' },
    profile: { type: 'boolean', default: false },
  },
})
const DURATION = Number(args.duration)
const CONNECTIONS = Number(args.connections)
const DEEP_PAGES = 50
const TARGETS = { ratio: 0.25, p99Ms: 50, rows: 100 }
// The load comes from one client with one token: lift the API's hourly allowance (still
// counted in D1, so its cost is measured). The burst bindings are not configured here.
const API_LIMITS_OFF = { API_HOURLY_LIMIT: '1000000000', API_ANON_HOURLY_LIMIT: '1000000000' }

function log(message) {
  console.log(`[bench] ${message}`)
}

function wrangler(argv) {
  const result = spawnSync(process.execPath, [wranglerBin, ...argv], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, CI: 'true', WRANGLER_SEND_METRICS: 'false' },
  })
  if (result.status !== 0) {
    process.stderr.write(result.stdout + result.stderr)
    throw new Error(`wrangler ${argv.join(' ')} exited with ${result.status}`)
  }
}

/** Miniflare options for the bundled worker, with wrangler.toml's date, flags and vars. */
function workerOptions(buildDir, name, extraBindings) {
  const config = unstable_readConfig({ config: join(root, 'wrangler.toml') })
  const d1 = config.d1_databases.find((db) => db.binding === 'DB')
  return {
    name,
    modules: true,
    rootPath: buildDir,
    scriptPath: 'index.js',
    compatibilityDate: config.compatibility_date,
    compatibilityFlags: config.compatibility_flags,
    bindings: { ...config.vars, ...extraBindings },
    // Two workers bound to one database id share the same D1.
    d1Databases: { DB: d1.database_id },
    // The live channel's hubs (features/live): each worker gets its own namespace.
    durableObjects: Object.fromEntries(
      (config.durable_objects?.bindings ?? []).map((b) => [b.name, { className: b.class_name, useSQLite: true }]),
    ),
    queueProducers: Object.fromEntries(
      (config.queues?.producers ?? []).map((q) => [q.binding, { queueName: q.queue }]),
    ),
  }
}

/** The href of the "Older posts" link on a page, or null at the end. */
function nextHref(html, base) {
  const match = new RegExp(`href="(${base.replace('?', '\\?')}\\?before=[^"]+)"`).exec(html)
  return match ? match[1].replaceAll('&amp;', '&') : null
}

async function main() {
  const started = Date.now()
  const tmp = mkdtempSync(join(tmpdir(), 'microblog-bench-'))
  let mf
  const cleanup = async () => {
    if (mf) await mf.dispose().catch(() => {})
    mf = undefined
    rmSync(tmp, { recursive: true, force: true })
  }
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => cleanup().finally(() => process.exit(130)))
  }
  try {
    const buildDir = join(tmp, 'build')
    const stateDir = join(tmp, 'state')
    log('bundling the worker (wrangler deploy --dry-run)')
    wrangler([
      'deploy',
      '--dry-run',
      '--outdir',
      buildDir,
      '--env',
      '',
      ...(args.profile ? ['--upload-source-maps'] : []),
    ])
    log('applying migrations to a fresh local D1')
    wrangler(['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', stateDir])

    // "app" serves the timed load; "stats" is the same code and database with
    // BENCH_D1_STATS=1, asked separately (untimed) for the rows each page reads.
    mf = new Miniflare(
      convertV4MiniflareOptions({
        host: '127.0.0.1',
        port: 0,
        // Miniflare's per-request console log (a subrequest to Node for every request) is
        // dev tooling, not the app: it would cost every route, the bare one included.
        logRequests: false,
        ...(args.profile ? { inspectorPort: 0 } : {}),
        resourcePersistencePath: join(stateDir, 'v3'),
        workers: [
          workerOptions(buildDir, 'app', API_LIMITS_OFF),
          workerOptions(buildDir, 'stats', { ...API_LIMITS_OFF, BENCH_D1_STATS: '1' }),
        ],
      }),
    )
    const base = (await mf.ready).href.replace(/\/$/, '')
    const stats = await mf.getWorker('stats')

    const data = args.data ? loadCsvDataset(resolve(args.data)) : generateDataset()
    log(`loading ${data.source}`)
    const loadStart = Date.now()
    const counts = await writeDataset(await mf.getD1Database('DB', 'app'), data)
    Object.assign(counts, await writeMessages(await mf.getD1Database('DB', 'app'), args['profile-user']))
    const firstPostAt = data.posts.reduce((min, p) => Math.min(min, p.createdAt), Infinity)
    await addRarePosts(await mf.getD1Database('DB', 'app'), 1, firstPostAt)
    log(
      `loaded ${counts.users} users, ${counts.follows} follows, ${counts.posts} posts, ` +
        `${counts.timelineEntries} timeline entries in ${((Date.now() - loadStart) / 1000).toFixed(1)} s`,
    )

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
    const exploreDeep = await deepPage('/explore', DEEP_PAGES)
    const homeDeep = await deepPage('/', DEEP_PAGES, auth)
    // The common word's deepest page (search ranks the newest 1,000 matches: 40 pages).
    const searchDeep = { url: `/search?q=${COMMON_TERM}`, page: 1 }
    for (let next; searchDeep.page < DEEP_PAGES; searchDeep.page++, searchDeep.url = next) {
      next = nextSearchHref(await (await fetch(`${base}${searchDeep.url}`)).text())
      if (!next) break
    }

    const endpoints = [
      { name: 'bare route', path: '/healthz', bare: true },
      // The same route with a session cookie: one small D1 query (the session lookup), to
      // show what a single D1 round trip costs in this setup.
      { name: 'bare + session', path: '/healthz', headers: auth },
      { name: 'home (bench)', path: '/', headers: auth, target: true },
      { name: 'explore', path: '/explore', target: true },
      { name: `explore page ${exploreDeep.page}`, path: exploreDeep.url, target: true, deep: 'explore' },
      { name: 'profile', path: `/user/${args['profile-user']}`, target: true },
      { name: 'login page', path: '/auth/login' },
      // Private messages: the inbox (two index ranges of one page each) and a thread page.
      { name: 'messages', path: '/messages', headers: auth, target: true },
      { name: 'thread', path: `/messages/${args['profile-user']}`, headers: auth, target: true },
      { name: 'api timeline', path: '/api/timeline', headers: bearer, target: true },
      { name: 'api explore', path: '/api/explore', headers: bearer, target: true },
      { name: 'search common', path: `/search?q=${COMMON_TERM}`, search: true },
      // One reader at a time: the latency of a search itself, not of a queue of 32.
      { name: 'search common, 1 conn', path: `/search?q=${COMMON_TERM}`, search: true, connections: 1 },
      { name: 'search rare', path: `/search?q=${RARE_TERM}`, search: true },
      { name: 'search prefix', path: `/search?q=${PREFIX_TERM}`, search: true },
      { name: `search common page ${searchDeep.page}`, path: searchDeep.url, rowsOnly: true },
      { name: `home page ${homeDeep.page}`, path: homeDeep.url, headers: auth, rowsOnly: true, deep: 'home (bench)' },
    ]

    /** Untimed: status, HTML bytes and D1 rows read (from Server-Timing) of one request. */
    async function inspect(endpoint) {
      let last
      // The first request may write "last seen"; the steady state is what counts.
      for (let i = 0; i < 3; i++) {
        const response = await stats.fetch(`${base}${endpoint.path}`, { headers: endpoint.headers ?? {} })
        const body = await response.arrayBuffer()
        const timing = response.headers.get('server-timing') ?? ''
        const rows = /rows_read=(\d+)/.exec(timing)
        const d1 = /d1;dur=([\d.]+)/.exec(timing)
        last = {
          status: response.status,
          bytes: body.byteLength,
          rowsRead: rows ? Number(rows[1]) : null,
          d1Ms: d1 ? Number(d1[1]) : null,
        }
      }
      return last
    }

    async function load(endpoint, seconds) {
      return autocannon({
        url: `${base}${endpoint.path}`,
        connections: endpoint.connections ?? CONNECTIONS,
        duration: seconds,
        headers: endpoint.headers ?? {},
      })
    }

    const outDir = join(root, 'bench/results')
    mkdirSync(outDir, { recursive: true })
    const profiler = args.profile
      ? await openProfiler(mf, { workerName: 'app', bundleDir: buildDir, outDir, root })
      : null
    const results = []
    for (const endpoint of endpoints) {
      const inspected = await inspect(endpoint)
      if (inspected.status !== 200) throw new Error(`${endpoint.path} answered ${inspected.status}`)
      const row = { name: endpoint.name, path: endpoint.path, ...inspected }
      if (!endpoint.rowsOnly) {
        log(`${endpoint.name}: ${endpoint.path} — ${DURATION} s at ${endpoint.connections ?? CONNECTIONS} connections`)
        await load(endpoint, 2) // warm-up, not counted
        const result = await load(endpoint, DURATION)
        Object.assign(row, {
          requestsPerSecond: Math.round(result.requests.average),
          p50Ms: result.latency.p50,
          p99Ms: result.latency.p99,
          requests: result.requests.total,
          errors: result.errors + result.timeouts + result.non2xx,
        })
        // Profiled in a run of its own, so the profiler's overhead stays out of the figures.
        if (profiler) row.profile = await profiler.record(endpoint.name, () => load(endpoint, DURATION))
      }
      results.push({ ...endpoint, ...row })
    }

    const bare = results.find((r) => r.bare)
    for (const r of results) if (r.requestsPerSecond) r.ratioToBare = r.requestsPerSecond / bare.requestsPerSecond

    const byName = (name) => results.find((r) => r.name === name)
    const targets = []
    for (const r of results.filter((x) => x.target)) {
      targets.push({
        check: `${r.name}: ≥ ${TARGETS.ratio * 100}% of bare rps`,
        value: pct(r.ratioToBare),
        ok: r.ratioToBare >= TARGETS.ratio,
      })
      targets.push({
        check: `${r.name}: p99 < ${TARGETS.p99Ms} ms`,
        value: `${r.p99Ms} ms`,
        ok: r.p99Ms < TARGETS.p99Ms,
      })
      targets.push({
        check: `${r.name}: ≤ ${TARGETS.rows} D1 rows`,
        value: String(r.rowsRead),
        ok: r.rowsRead <= TARGETS.rows,
      })
    }
    // Search (issue 10): a common word's p50 on workerd within 50 ms.
    const common = byName('search common, 1 conn')
    targets.push({
      check: 'search common, 1 conn: p50 ≤ 50 ms, no errors',
      value: `${common.p50Ms} ms, ${common.errors} errors`,
      ok: common.requests > 0 && common.errors === 0 && common.p50Ms <= 50,
    })
    for (const deep of results.filter((x) => x.deep)) {
      const a = byName(deep.deep).rowsRead
      const b = deep.rowsRead
      // A row or two of difference comes from posts sharing the cursor's millisecond.
      targets.push({
        check: `${deep.deep}: same rows on page 1 and ${deep.name}`,
        value: `${a} / ${b}`,
        ok: Math.abs(a - b) <= 2,
      })
    }

    printTable(results)
    console.log('')
    for (const t of targets) console.log(`${t.ok ? 'met   ' : 'MISSED'}  ${t.check}: ${t.value}`)

    const report = {
      date: new Date().toISOString(),
      machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version },
      options: { durationSeconds: DURATION, connections: CONNECTIONS, warmupSeconds: 2 },
      dataset: { source: data.source, ...counts },
      results: results.map(({ headers: _h, bare: _b, target: _t, rowsOnly: _r, deep: _d, search: _s, ...r }) => r),
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
    await cleanup()
  }
}

function pct(ratio) {
  return ratio === undefined ? '-' : `${(ratio * 100).toFixed(0)}%`
}

function printTable(results) {
  const header = ['endpoint', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'HTML bytes', 'D1 rows/req', 'D1 ms', 'vs bare']
  const lines = results.map((r) => [
    r.name,
    r.requestsPerSecond ?? '-',
    r.p50Ms ?? '-',
    r.p99Ms ?? '-',
    r.errors ?? '-',
    r.bytes,
    r.rowsRead ?? '-',
    r.d1Ms ?? '-',
    pct(r.ratioToBare),
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => String(l[i]).length)))
  const fmt = (cells) =>
    cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ')
  console.log('')
  console.log(fmt(header))
  console.log(widths.map((w) => '-'.repeat(w)).join('  '))
  for (const line of lines) console.log(fmt(line))
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
