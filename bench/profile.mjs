// `npm run bench -- --profile`: a V8 CPU profile of every page row, taken through workerd's
// inspector (Miniflare's `inspectorPort`) with the DevTools protocol (Profiler.start/stop).
//
// A bench request crosses three isolates in the one workerd process: the app
// (core:user:<name>, reached on its own socket), and local D1 — a Durable Object (d1:db, its JS
// wrapper plus SQLite, which V8 cannot see into: SQLite's time is charged to the JS frame that
// called into it) behind its own entry (d1:db:entry). Miniflare's entry worker (core:entry) is
// profiled too: only the "via Miniflare's entry" row goes through it. Each isolate is
// profiled separately, so the app's JavaScript is told apart from D1's work; what the
// isolates do not account for in the process's CPU (/proc/<pid>/stat) is workerd's own C++
// (HTTP, RPC between the isolates, KJ event loop).
//
// Per row it writes bench/results/profile-<row>-<isolate>.cpuprofile (open them in Chrome
// DevTools → Performance, or speedscope) and prints, per request, each isolate's JS time and
// the app's top self-time functions bottom-up, positions mapped to src/ through the bundle's
// source map.
import { readFileSync, writeFileSync, existsSync } from 'node:fs'
import { Session, inspectorTargets } from './inspector.mjs'
import { cpuMs, workerdTree } from './proc.mjs'
import { SourceMap } from 'node:module'
import { join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/** How often V8 samples (µs). Finer than V8's default 1 ms: a page is ~1 ms of JS. */
const SAMPLING_INTERVAL_US = 200
const TOP = 15

/**
 * Opens a profiler on the app's worker and on local D1. `bundleDir` holds the bundle
 * (index.js) and its source map (index.js.map), `outDir` receives the .cpuprofile files.
 */
export async function openProfiler(mf, { workerName, bundleDir, outDir, root }) {
  const targets = await inspectorTargets(mf)
  const wanted = [
    { isolate: 'app', id: `core:user:${workerName}` },
    { isolate: 'd1', id: 'd1:db' },
    { isolate: 'd1 entry', id: 'd1:db:entry' },
    { isolate: 'miniflare entry', id: 'core:entry' },
  ]
  const sessions = []
  for (const w of wanted) {
    const target = targets.find((t) => t.id === w.id)
    if (!target) continue
    const session = await Session.open(target.webSocketDebuggerUrl)
    await session.send('Profiler.enable')
    await session.send('Profiler.setSamplingInterval', { interval: SAMPLING_INTERVAL_US })
    sessions.push({ ...w, session })
  }
  if (!sessions.some((s) => s.isolate === 'app')) throw new Error(`inspector: no target core:user:${workerName}`)
  const mapper = sourceMapper(bundleDir, root)
  // The workerd process tree, as the bench's CPU column reads it (bench/proc.mjs).
  const pids = workerdTree()

  return {
    /**
     * Profiles every isolate while `run` (which returns autocannon's result) loads one row.
     * Returns the per-request summary; writes the .cpuprofile files.
     */
    async record(rowName, run) {
      await Promise.all(sessions.map((s) => s.session.send('Profiler.start')))
      const cpuBefore = cpuMs(pids)
      const result = await run()
      const cpuAfter = cpuMs(pids)
      const profiles = await Promise.all(sessions.map((s) => s.session.send('Profiler.stop')))
      const requests = result.requests.total || 1
      const slug = rowName
        .replace(/[^a-z0-9]+/gi, '-')
        .replace(/^-|-$/g, '')
        .toLowerCase()
      const summary = {
        row: rowName,
        requests,
        processCpuMsPerRequest: (cpuAfter - cpuBefore) / requests,
        isolates: [],
        top: [],
        byArea: [],
      }
      sessions.forEach((s, i) => {
        const profile = profiles[i].profile
        const file = join(outDir, `profile-${slug}-${s.isolate.replace(/ /g, '-')}.cpuprofile`)
        writeFileSync(file, JSON.stringify(profile))
        const analysed = analyse(profile, s.isolate === 'app' ? mapper : null)
        summary.isolates.push({ isolate: s.isolate, busyMsPerRequest: analysed.busyMs / requests, file })
        if (s.isolate === 'app') {
          summary.top = analysed.functions.slice(0, TOP).map((f) => ({ ...f, msPerRequest: f.selfMs / requests }))
          summary.byArea = analysed.areas.map((a) => ({ ...a, msPerRequest: a.selfMs / requests }))
          summary.appBusyMs = analysed.busyMs
        }
        if (s.isolate === 'd1')
          summary.d1Top = analysed.functions.slice(0, 5).map((f) => ({ ...f, msPerRequest: f.selfMs / requests }))
      })
      printSummary(summary)
      return summary
    },
    close() {
      for (const s of sessions) s.session.close()
    },
  }
}

/** Self time per function (aggregated over the call tree's nodes) and per source area. */
export function analyse(profile, mapper) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const parent = new Map()
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
  const selfUs = new Map()
  const { samples, timeDeltas } = profile
  // V8 samples an isolate only while it runs, so a long gap after a sample is time the
  // isolate was not running (waiting for D1, or another isolate had the thread). A sample
  // counts until the next one but at most one typical interval.
  const sorted = timeDeltas.slice(1).sort((a, b) => a - b)
  const typical = sorted[Math.floor(sorted.length / 2)] ?? SAMPLING_INTERVAL_US
  for (let i = 0; i < samples.length; i++) {
    const dt = Math.min(Math.max(0, timeDeltas[i + 1] ?? typical), typical)
    selfUs.set(samples[i], (selfUs.get(samples[i]) ?? 0) + dt)
  }
  const functions = new Map()
  let busyUs = 0
  for (const [nodeId, us] of selfUs) {
    const node = byId.get(nodeId)
    const frame = node.callFrame
    if (frame.functionName === '(idle)') continue
    busyUs += us
    const key = `${frame.functionName}|${frame.url}|${frame.lineNumber}|${frame.columnNumber}`
    let f = functions.get(key)
    if (!f) {
      f = { name: frame.functionName || '(anonymous)', where: where(frame, mapper), selfUs: 0, callers: new Map() }
      functions.set(key, f)
    }
    f.selfUs += us
    const up = byId.get(parent.get(nodeId))
    if (up && up.callFrame.functionName !== '(root)') {
      const name = `${up.callFrame.functionName || '(anonymous)'} ${where(up.callFrame, mapper)}`
      f.callers.set(name, (f.callers.get(name) ?? 0) + us)
    }
  }
  const list = [...functions.values()]
    .sort((a, b) => b.selfUs - a.selfUs)
    .map((f) => ({
      name: f.name,
      where: f.where,
      selfMs: f.selfUs / 1000,
      caller: [...f.callers.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? '',
    }))
  const areas = new Map()
  for (const f of list) areas.set(area(f), (areas.get(area(f)) ?? 0) + f.selfMs)
  return {
    busyMs: busyUs / 1000,
    functions: list,
    areas: [...areas.entries()].map(([name, selfMs]) => ({ name, selfMs })).sort((a, b) => b.selfMs - a.selfMs),
  }
}

/** Where a function's time belongs: a source folder, a package, or V8/workerd itself. */
function area(f) {
  const w = f.where
  if (!w) return ['(program)', '(garbage collector)'].includes(f.name) ? f.name : '(native / builtin)'
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(w)
  if (pkg) return pkg[1]
  const src = /^(src\/(?:features\/[^/]+|[^/:]+))/.exec(w)
  if (src) return src[1]
  return w.split(':')[0]
}

function where(frame, mapper) {
  if (!frame.url) return ''
  if (mapper) {
    const mapped = mapper(frame.url, frame.lineNumber, frame.columnNumber)
    if (mapped) return mapped
  }
  return `${frame.url}:${frame.lineNumber + 1}:${frame.columnNumber + 1}`
}

/** Maps a position in the bundle to `path:line:col` in the sources (null when unknown). */
export function sourceMapper(bundleDir, root) {
  const mapFile = join(bundleDir, 'index.js.map')
  if (!existsSync(mapFile)) return null
  const map = new SourceMap(JSON.parse(readFileSync(mapFile, 'utf8')))
  const cache = new Map()
  return (url, line, column) => {
    if (!/index\.js$/.test(url)) return null
    const key = `${line}:${column}`
    if (!cache.has(key)) {
      const entry = map.findEntry(line, column)
      let mapped = null
      if (entry && entry.originalSource) {
        let source = entry.originalSource
        source = relative(root, source.startsWith('file:') ? fileURLToPath(source) : resolve(bundleDir, source))
        // drizzle-orm ships maps whose sources say `src/…` from its package folder.
        source = source.replace(/^node_modules\/src\//, 'node_modules/drizzle-orm/src/')
        mapped = `${source}:${entry.originalLine + 1}:${entry.originalColumn + 1}`
      }
      cache.set(key, mapped)
    }
    return cache.get(key)
  }
}

function ms(value) {
  return value.toFixed(3).padStart(7)
}

function printSummary(s) {
  const lines = [`\n[profile] ${s.row}: ${s.requests} requests`]
  lines.push(`  workerd process CPU       ${ms(s.processCpuMsPerRequest)} ms/request (profiler attached)`)
  let js = 0
  for (const i of s.isolates) {
    js += i.busyMsPerRequest
    lines.push(`  JS in ${i.isolate.padEnd(19)} ${ms(i.busyMsPerRequest)} ms/request`)
  }
  lines.push(`  rest (workerd C++, HTTP)  ${ms(s.processCpuMsPerRequest - js)} ms/request`)
  if (s.d1Top?.length) {
    lines.push(`  d1 isolate, top (SQLite's time is inside the JS frame that called it):`)
    for (const f of s.d1Top) lines.push(`    ${ms(f.msPerRequest)}  ${f.name}  ${f.where}`)
  }
  lines.push(`  app by area (self ms/request):`)
  for (const a of s.byArea.slice(0, 10)) lines.push(`    ${ms(a.msPerRequest)}  ${a.name}`)
  lines.push(`  app top ${TOP} functions by self time (ms/request, % of app JS, ← heaviest caller):`)
  for (const f of s.top) {
    const share = s.appBusyMs ? ((f.selfMs / s.appBusyMs) * 100).toFixed(1) : '-'
    lines.push(`    ${ms(f.msPerRequest)} ${share.padStart(5)}%  ${f.name}  ${f.where}`)
    if (f.caller) lines.push(`                       ← ${f.caller}`)
  }
  console.log(lines.join('\n'))
}
