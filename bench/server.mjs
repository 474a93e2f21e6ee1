// Microblog on workerd through Miniflare's API (not `wrangler dev`, ~20x slower), with a
// fresh local D1 holding the reference data set. Shared by `npm run bench` and
// `npm run stress`. Everything lives in a temporary folder removed by `close()`.
import { spawnSync } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Miniflare, convertV4MiniflareOptions } from 'miniflare'
import { unstable_readConfig } from 'wrangler'
import { workerdTree } from './proc.mjs'

export const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const wranglerBin = join(root, 'node_modules/wrangler/bin/wrangler.js')

// The load comes from one client with one token: lift the API's hourly allowance (still
// counted in D1, so its cost is measured). The burst bindings are not configured here.
const API_LIMITS_OFF = { API_HOURLY_LIMIT: '1000000000', API_ANON_HOURLY_LIMIT: '1000000000' }

export function log(message) {
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

/** Miniflare options for the bundled worker, with wrangler.toml's date, flags, vars and queues. */
function workerOptions(config, buildDir, name, extraBindings, consumer, live, direct = false) {
  const d1 = config.d1_databases.find((db) => db.binding === 'DB')
  return {
    name,
    ...(direct ? { unsafeDirectSockets: [{ host: '127.0.0.1', port: 0 }] } : {}),
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
      (live ? (config.durable_objects?.bindings ?? []) : []).map((b) => [
        b.name,
        { className: b.class_name, useSQLite: true },
      ]),
    ),
    queueProducers: Object.fromEntries(
      (config.queues?.producers ?? []).map((q) => [q.binding, { queueName: q.queue }]),
    ),
    // Only the "app" worker consumes: queued jobs (fan-out, emails) run as in production.
    ...(consumer
      ? {
          queueConsumers: Object.fromEntries(
            (config.queues?.consumers ?? []).map((q) => [
              q.queue,
              {
                maxBatchSize: q.max_batch_size,
                maxBatchTimeout: q.max_batch_timeout,
                maxRetries: q.max_retries,
                deadLetterQueue: q.dead_letter_queue,
              },
            ]),
          ),
        }
      : {}),
  }
}

/**
 * Bundles the worker, migrates a fresh D1 and starts two workers on it: "app" (timed load)
 * and "stats" (the same code with BENCH_D1_STATS=1: D1 queries and rows in Server-Timing).
 */
export async function startServer({ extraBindings = {}, inspector = false, sourceMaps = false, live = true } = {}) {
  const tmp = mkdtempSync(join(tmpdir(), 'microblog-bench-'))
  const buildDir = join(tmp, 'build')
  const stateDir = join(tmp, 'state')
  let mf
  const close = async () => {
    if (mf) await mf.dispose().catch(() => {})
    mf = undefined
    rmSync(tmp, { recursive: true, force: true })
  }
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => close().finally(() => process.exit(130)))
  }
  try {
    log('bundling the worker (wrangler deploy --dry-run)')
    wrangler([
      'deploy',
      '--dry-run',
      '--outdir',
      buildDir,
      '--env',
      '',
      ...(sourceMaps ? ['--upload-source-maps'] : []),
    ])
    log('applying migrations to a fresh local D1')
    wrangler(['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', stateDir])
    const config = unstable_readConfig({ config: join(root, 'wrangler.toml') })
    const bindings = { ...API_LIMITS_OFF, ...extraBindings }
    mf = new Miniflare(
      convertV4MiniflareOptions({
        host: '127.0.0.1',
        port: 0,
        // Miniflare's per-request console log (a subrequest to Node for every request) is
        // dev tooling, not the app: it would cost every route, the bare one included.
        logRequests: false,
        // `npm run bench:memory` reads the isolates' heaps through workerd's inspector.
        ...(inspector ? { inspectorPort: 0 } : {}),
        resourcePersistencePath: join(stateDir, 'v3'),
        workers: [
          workerOptions(config, buildDir, 'app', bindings, true, live, true),
          workerOptions(config, buildDir, 'stats', { ...bindings, BENCH_D1_STATS: '1' }, false, live),
        ],
      }),
    )
    const viaEntry = (await mf.ready).href.replace(/\/$/, '')
    const direct = (await mf.unsafeGetDirectURL('app')).href.replace(/\/$/, '')
    const base = process.env.BENCH_VIA_ENTRY ? viaEntry : direct
    const stats = await mf.getWorker('stats')
    const db = await mf.getD1Database('DB', 'app')
    return { mf, base, viaEntry, direct, stats, db, buildDir, pids: workerdTree(), close }
  } catch (error) {
    await close()
    throw error
  }
}

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567'
/** 15 random bytes as 24 lower-case base32 characters (the app's session id/secret shape). */
function randomBase32() {
  const bytes = randomBytes(15)
  let bits = 0
  let value = 0
  let out = ''
  for (const byte of bytes) {
    value = (value << 8) | byte
    bits += 8
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31]
      bits -= 5
    }
  }
  return out
}

/**
 * Session cookies for many members at once, written straight into `sessions` the way
 * src/middleware/session-store.ts does (token `<id>.<secret>`, SHA-256 of the secret
 * stored): logging 200 members in through the form would spend ~30 s in scrypt before the
 * load starts.
 */
export async function createSessions(db, userIds) {
  const now = Date.now()
  const cookies = new Map()
  const rows = []
  for (const userId of userIds) {
    const id = randomBase32()
    const secret = randomBase32()
    const hash = createHash('sha256').update(secret).digest('hex')
    rows.push(`('${id}', ${userId}, '${hash}', 1, ${now}, ${now}, ${now + 30 * 86_400_000})`)
    cookies.set(userId, `session=${id}.${secret}`)
  }
  for (let i = 0; i < rows.length; i += 500) {
    await db
      .prepare(
        'INSERT INTO sessions (id, user_id, secret_hash, persistent, created_at, last_verified_at, expires_at) VALUES ' +
          rows.slice(i, i + 500).join(','),
      )
      .run()
  }
  return cookies
}

/** Headers of an htmx form POST from the site's own page (CSRF: same Origin). */
export function formHeaders(base, cookie) {
  return {
    cookie,
    origin: base,
    'content-type': 'application/x-www-form-urlencoded',
    'hx-request': 'true',
  }
}
