// `npm run bench:memory`: what grows under load? Runs scenarios one after another on one
// workerd (Miniflare's API, reference data set) and samples, every few seconds, the workerd
// process tree's resident memory (/proc) and the JS heap of every isolate through workerd's
// inspector (the app's, and Miniflare's own D1/queue/cache workers'). Scenarios:
//
//   bare      GET /healthz: no D1, no session
//   session   GET /healthz with a member's cookie: one small D1 read per request
//   pages     members and visitors reading pages (home, explore, profiles, posts)
//   mix       the stress mix (reads, posts, follow/unfollow)
//
//   npm run bench:memory -- --duration 30 --scenarios bare,session,pages,mix
/* global setInterval, clearInterval */
import autocannon from 'autocannon'
import { parseArgs } from 'node:util'
import { generateDataset, writeDataset } from './dataset.mjs'
import { Session, inspectorTargets } from './inspector.mjs'
import { createMix, mixRequests } from './mix.mjs'
import { rssBreakdownMiB, rssMiB } from './proc.mjs'
import { log, startServer } from './server.mjs'

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '30' },
    connections: { type: 'string', default: '32' },
    scenarios: { type: 'string', default: 'bare,session,pages,mix' },
    every: { type: 'string', default: '5' },
    // An experiment: without the live channel's hubs (no Durable Object per member).
    'no-live': { type: 'boolean', default: false },
  },
})

const SCENARIOS = {
  bare: { weights: { memberRead: 0, visitorRead: 1, post: 0 }, paths: ['/healthz'] },
  session: { weights: { memberRead: 1, visitorRead: 0, post: 0 }, paths: ['/healthz'] },
  pages: { weights: { memberRead: 0.5, visitorRead: 0.5, post: 0 } },
  mix: { weights: { memberRead: 0.35, visitorRead: 0.35, post: 0.2 } },
  posts: { weights: { memberRead: 0, visitorRead: 0, post: 1 } },
  edges: { weights: { memberRead: 0, visitorRead: 0, post: 0 } },
}

async function main() {
  const server = await startServer({ inspector: true, live: !args['no-live'] })
  const { base, db, pids, mf } = server
  const isolates = []
  try {
    const data = generateDataset()
    log(`loading ${data.source}`)
    await writeDataset(db, data)
    const targets = await inspectorTargets(mf)
    for (const target of targets.filter((t) => /core:user:app|d1:db$|queues:queue$|cache:cache/.test(t.id))) {
      try {
        isolates.push({ name: target.id, cdp: await Session.open(target.webSocketDebuggerUrl) })
      } catch {
        log(`cannot inspect ${target.id}`)
      }
    }
    log(`inspecting ${isolates.map((i) => i.name).join(', ')}`)
    const heaps = async () => {
      const out = {}
      for (const isolate of isolates) {
        const usage = await isolate.cdp.send('Runtime.getHeapUsage', {}, 3000).catch(() => null)
        if (usage) out[isolate.name] = Math.round((usage.usedSize / 1048576) * 10) / 10
      }
      return out
    }

    const report = []
    for (const name of args.scenarios.split(',')) {
      const scenario = SCENARIOS[name]
      const { next, counts } = await createMix({ base, db, data, members: 200, ...scenario })
      const samples = []
      const start = Date.now()
      const sample = async () =>
        samples.push({
          t: Math.round((Date.now() - start) / 1000),
          rssMiB: Math.round(rssMiB(pids)),
          rss: rssBreakdownMiB(pids),
          heapsMiB: await heaps(),
        })
      await sample()
      const timer = setInterval(() => sample(), Number(args.every) * 1000)
      log(`${name}: ${args.duration} s at ${args.connections} connections`)
      const result = await autocannon({
        url: base,
        connections: Number(args.connections),
        duration: Number(args.duration),
        requests: mixRequests(next),
      })
      clearInterval(timer)
      await sample()
      const first = samples[0]
      const last = samples.at(-1)
      report.push({ name, requests: result.requests.total, non2xx: result.non2xx, counts, samples })
      console.log(`\n${name}: ${result.requests.total} requests (${result.non2xx} non-2xx)`)
      for (const s of samples)
        console.log(
          `  ${String(s.t).padStart(4)} s  RSS ${s.rssMiB} MiB ${JSON.stringify(s.rss)}  heaps ${JSON.stringify(s.heapsMiB)}`,
        )
      console.log(
        `  RSS ${first.rssMiB} → ${last.rssMiB} MiB (${last.rssMiB - first.rssMiB >= 0 ? '+' : ''}${last.rssMiB - first.rssMiB}); ` +
          `per 1,000 requests ${(((last.rssMiB - first.rssMiB) * 1000) / Math.max(1, result.requests.total)).toFixed(1)} MiB`,
      )
    }
    console.log(`\nJSON: ${JSON.stringify(report.map(({ counts: _c, ...r }) => r))}`)
  } finally {
    for (const isolate of isolates) isolate.cdp.close()
    await server.close()
  }
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
