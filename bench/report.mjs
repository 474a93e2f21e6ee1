// The bench's targets and its table.

/** The goals: CPU per request on workerd with the local D1, and the 1-connection tail. */
export const TARGETS = {
  cpuMs: { home: 1.0, explore: 1.0, exploreDeep: 1.0, profile: 1.0, login: 0.25 },
  p99OneConnMs: 10,
  rows: 100,
  searchP50Ms: 50,
}

const fixed = (value, digits) => (value === undefined || value === null ? '-' : Number(value).toFixed(digits))

/** met/missed lines for the rows' targets. */
export function checkTargets(results) {
  const targets = []
  const byName = (name) => results.find((r) => r.name === name)
  for (const r of results) {
    if (r.cpuTarget !== undefined) {
      targets.push({
        check: `${r.name}: CPU ≤ ${r.cpuTarget} ms/request`,
        value: `${fixed(r.cpuMsPerRequest, 2)} ms`,
        ok: r.cpuMsPerRequest <= r.cpuTarget,
      })
    }
    if (r.page && r.one) {
      targets.push({
        check: `${r.name}: p99 at 1 connection ≤ ${TARGETS.p99OneConnMs} ms`,
        value: `${r.one.p99Ms} ms`,
        ok: r.one.p99Ms <= TARGETS.p99OneConnMs,
      })
    }
    if (r.page && r.rowsRead !== null) {
      targets.push({
        check: `${r.name}: ≤ ${TARGETS.rows} D1 rows`,
        value: String(r.rowsRead),
        ok: r.rowsRead <= TARGETS.rows,
      })
    }
    if (r.cached) {
      targets.push({ check: `${r.name}: not an edge-cache hit`, value: r.cached, ok: false })
    }
  }
  // Search: a common word's p50 at one connection within 50 ms.
  const common = byName('search common')
  if (common?.one) {
    targets.push({
      check: `search common: p50 at 1 connection ≤ ${TARGETS.searchP50Ms} ms`,
      value: `${common.one.p50Ms} ms`,
      ok: common.one.p50Ms <= TARGETS.searchP50Ms,
    })
  }
  for (const deep of results.filter((x) => x.deep)) {
    const a = byName(deep.deep)?.rowsRead
    const b = deep.rowsRead
    // A row or two of difference comes from posts sharing the cursor's millisecond.
    targets.push({
      check: `${deep.deep}: same rows on page 1 and ${deep.name}`,
      value: `${a} / ${b}`,
      ok: a !== undefined && Math.abs(a - b) <= 2,
    })
  }
  const errors = results.reduce((n, r) => n + (r.one?.errors ?? 0) + (r.many?.errors ?? 0), 0)
  targets.push({ check: 'no errors, timeouts or non-2xx answers under load', value: String(errors), ok: errors === 0 })
  return targets
}

export function printTable(results, connections) {
  const header = [
    'row',
    'CPU ms/req',
    'target',
    'req/s',
    'p50/p99 1c',
    `p50/p99 ${connections}c`,
    'D1 q/req',
    'D1 rows/req',
    'rows wr',
    'bytes',
    'errors',
  ]
  const lines = results.map((r) => [
    r.name,
    fixed(r.cpuMsPerRequest, 2),
    r.cpuTarget === undefined ? '' : `${r.cpuMsPerRequest <= r.cpuTarget ? 'met' : 'MISSED'} ≤${r.cpuTarget}`,
    r.many ? r.many.requestsPerSecond : '-',
    r.one ? `${r.one.p50Ms}/${r.one.p99Ms}${r.page ? (r.one.p99Ms <= TARGETS.p99OneConnMs ? '' : ' !') : ''}` : '-',
    r.many ? `${r.many.p50Ms}/${r.many.p99Ms}` : '-',
    r.queries ?? '-',
    r.rowsRead ?? '-',
    r.rowsWritten ?? '-',
    r.bytes ?? '-',
    r.one || r.many ? (r.one?.errors ?? 0) + (r.many?.errors ?? 0) : '-',
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => String(l[i]).length)))
  const fmt = (cells) =>
    cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ')
  console.log('')
  console.log(fmt(header))
  console.log(widths.map((w) => '-'.repeat(w)).join('  '))
  for (const line of lines) console.log(fmt(line))
  console.log(
    `\nCPU ms/req: the workerd process tree's user+system CPU (/proc) over the ${connections}-connection run ÷ ` +
      `requests completed. "!" marks a page whose p99 at 1 connection is over ${TARGETS.p99OneConnMs} ms.`,
  )
  printHarness(results)
}

/**
 * What the harness itself costs, from the rows that measure it: the bare route (workerd's
 * HTTP and hono's middleware), Miniflare's entry worker, and one round trip to local D1 —
 * a Durable Object running SQLite in this same process, where production's D1 runs on its
 * own machines and is not the Worker's CPU time.
 */
function printHarness(results) {
  const cpu = (name) => results.find((r) => r.name === name)?.cpuMsPerRequest
  const bare = cpu('bare route')
  const entry = cpu("bare via Miniflare's entry")
  const session = cpu('bare + session')
  if (bare === undefined) return
  const parts = [`bare route ${fixed(bare, 2)} ms`]
  if (entry !== undefined) parts.push(`Miniflare's entry worker +${fixed(entry - bare, 2)} ms (not in the other rows)`)
  if (session !== undefined) parts.push(`one local D1 round trip (session lookup) +${fixed(session - bare, 2)} ms`)
  console.log(`Harness floor: ${parts.join('; ')}.`)
}
