// `npm run bench:floor`: what the harness costs before any app code runs. A framework-free
// worker (bench/floor/worker.js) on the same workerd, Miniflare options and local D1 as
// `npm run bench`, one row per way of reaching D1: nothing, one query, a batch of two, one
// query in a D1 session (the Sessions API, as the app uses on every request). CPU ms per
// request is the workerd process tree's (/proc), as in the bench; the minimum of --rounds.
//
//   npm run bench:floor -- --duration 4 --rounds 3
import autocannon from 'autocannon'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { Miniflare, convertV4MiniflareOptions } from 'miniflare'
import { cpuMs, settle, workerdTree } from './proc.mjs'

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '4' },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '32' },
  },
})
const ROWS = [
  { path: '/none', what: 'no D1' },
  { path: '/d1', what: 'one D1 query' },
  { path: '/d1-batch', what: 'one D1 batch of two queries' },
  { path: '/d1-session', what: 'one query in a D1 session (first-unconstrained)' },
  { path: '/d1-session-primary', what: 'one query in a D1 session (first-primary)' },
]

const here = dirname(fileURLToPath(import.meta.url))
const mf = new Miniflare(
  convertV4MiniflareOptions({
    host: '127.0.0.1',
    port: 0,
    logRequests: false,
    workers: [
      {
        name: 'floor',
        modules: true,
        scriptPath: join(here, 'floor/worker.js'),
        compatibilityDate: '2026-08-01',
        d1Databases: { DB: 'floor' },
        unsafeDirectSockets: [{ host: '127.0.0.1', port: 0 }],
      },
    ],
  }),
)
try {
  await mf.ready
  const base = (await mf.unsafeGetDirectURL('floor')).href.replace(/\/$/, '')
  const pids = workerdTree()
  const best = new Map()
  for (let round = 0; round < Number(args.rounds); round++) {
    for (const row of ROWS) {
      await autocannon({ url: base + row.path, connections: 8, duration: 1 })
      await settle(pids)
      const before = cpuMs(pids)
      const result = await autocannon({
        url: base + row.path,
        connections: Number(args.connections),
        duration: Number(args.duration),
      })
      if (result.non2xx || result.errors)
        throw new Error(`${row.path}: ${result.non2xx} non-2xx, ${result.errors} errors`)
      const perRequest = (cpuMs(pids) - before) / result.requests.total
      best.set(row.path, Math.min(best.get(row.path) ?? Infinity, perRequest))
    }
  }
  const none = best.get('/none')
  console.log('\nrow                                              CPU ms/req  over "no D1"')
  for (const row of ROWS) {
    const ms = best.get(row.path)
    console.log(
      `${row.what.padEnd(48)} ${ms.toFixed(3).padStart(10)}  ${row.path === '/none' ? '' : `+${(ms - none).toFixed(3)}`}`,
    )
  }
  console.log(
    `\nworkerd process tree CPU (/proc) ÷ requests, min of ${args.rounds} rounds of ${args.duration} s at ` +
      `${args.connections} connections. Local D1 is a Durable Object running SQLite in this process; in a ` +
      'session Miniflare also asks workerd for a bookmark on every round trip.',
  )
} finally {
  await mf.dispose()
}
