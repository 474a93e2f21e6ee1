// `npm run e2e`: the browser suite. Starts the app the way a user does — `wrangler dev` with a
// local D1 — but on a fresh database in a temporary folder and on its own port, seeds the
// few rows the tests need, runs e2e/tests/*.test.mjs with node's test runner (headless
// Debian Chromium through playwright-core), and always stops the server's whole process
// group, so no workerd is left behind. Then the W3C Nu HTML Checker checks the HTML of every
// page the tests loaded, in one run (e2e/nu-check.mjs): any error fails `npm run e2e`.
//
//   npm run e2e                      all tests
//   E2E_PORT=8790 npm run e2e        another port (default: the first free one from 8788)
//   npm run e2e -- feedback everyday only the test files whose names contain these words
import { spawn, spawnSync } from 'node:child_process'
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { hashAssets } from '../scripts/hash-assets.mjs'
import { nuCheck } from './nu-check.mjs'
import { buildE2eSeedSql } from './seed.mjs'

const onlyFiles = process.argv.slice(2)
const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const wranglerBin = join(root, 'node_modules/wrangler/bin/wrangler.js')
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const artifacts = join(root, 'e2e/artifacts')
const wranglerEnv = {
  ...process.env,
  CI: 'true',
  WRANGLER_SEND_METRICS: 'false',
  CLOUDFLARE_CF_FETCH_ENABLED: 'false',
  NO_COLOR: '1',
}

function log(message) {
  console.log(`[e2e] ${message}`)
}

function wrangler(args) {
  const result = spawnSync(process.execPath, [wranglerBin, ...args], { cwd: root, encoding: 'utf8', env: wranglerEnv })
  if (result.status !== 0) {
    process.stderr.write(result.stdout + result.stderr)
    throw new Error(`wrangler ${args.join(' ')} exited with ${result.status}`)
  }
}

function portIsFree(port) {
  return new Promise((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(false))
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)))
  })
}

async function freePort(from) {
  for (let port = from; port < from + 50; port++) if (await portIsFree(port)) return port
  throw new Error(`no free port from ${from}`)
}

async function waitForServer(url, server, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`wrangler dev exited with ${server.exitCode}`)
    try {
      const response = await fetch(`${url}/healthz`)
      if (response.ok) return
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  throw new Error(`wrangler dev did not answer on ${url} within ${timeoutMs / 1000} s`)
}

function groupAlive(pid) {
  try {
    process.kill(-pid, 0)
    return true
  } catch {
    return false
  }
}

/** SIGTERM to the whole group (wrangler, its esbuild and workerd), then SIGKILL if needed. */
async function stopGroup(pid) {
  if (!groupAlive(pid)) return
  process.kill(-pid, 'SIGTERM')
  for (let i = 0; i < 50 && groupAlive(pid); i++) await new Promise((resolve) => setTimeout(resolve, 100))
  if (groupAlive(pid)) {
    process.kill(-pid, 'SIGKILL')
    for (let i = 0; i < 20 && groupAlive(pid); i++) await new Promise((resolve) => setTimeout(resolve, 100))
  }
  if (groupAlive(pid)) throw new Error(`process group ${pid} is still running`)
}

async function main() {
  if (!existsSync(chromiumPath)) {
    throw new Error(`${chromiumPath} not found: install Debian's Chromium (apt-get install -y chromium)`)
  }
  mkdirSync(artifacts, { recursive: true })
  // The pages' HTML for the Nu checker (kept after the run, to look at an error's context).
  const htmlDir = join(artifacts, 'html')
  rmSync(htmlDir, { recursive: true, force: true })
  const state = mkdtempSync(join(tmpdir(), 'microblog-e2e-'))
  let server
  let tests
  let stopping = false
  const cleanup = async () => {
    if (stopping) return
    stopping = true
    if (server?.pid) await stopGroup(server.pid)
    rmSync(state, { recursive: true, force: true })
  }
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      tests?.kill(signal) // node's test runner stops its files and their browsers
      cleanup().finally(() => process.exit(130))
    })
  }

  try {
    hashAssets() // the layout links content-hashed CSS/JS: up to date with the sources
    log(`fresh local D1 in ${state}`)
    wrangler(['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', state])
    const seedFile = join(state, 'seed.sql')
    writeFileSync(seedFile, buildE2eSeedSql())
    wrangler(['d1', 'execute', 'DB', '--local', '--persist-to', state, `--file=${seedFile}`])

    const port = process.env.E2E_PORT ? Number(process.env.E2E_PORT) : await freePort(8788)
    const inspectorPort = await freePort(port === 9229 ? 9230 : 9229 + (port % 100))
    const url = `http://127.0.0.1:${port}`
    const logFile = join(artifacts, 'wrangler-dev.log')
    const logStream = createWriteStream(logFile)
    log(`starting wrangler dev on ${url} (log: ${relative(root, logFile)})`)
    // detached: its own process group, so the group can be stopped as a whole.
    server = spawn(
      process.execPath,
      [
        wranglerBin,
        'dev',
        '--ip',
        '127.0.0.1',
        '--port',
        String(port),
        '--inspector-port',
        String(inspectorPort),
        '--persist-to',
        state,
        '--show-interactive-dev-session=false',
        '--live-reload=false',
      ],
      { cwd: root, env: wranglerEnv, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
    )
    server.stdout.pipe(logStream)
    server.stderr.pipe(logStream)
    await waitForServer(url, server)
    log('server is up')

    const testDir = join(root, 'e2e/tests')
    const files = readdirSync(testDir)
      .filter((name) => name.endsWith('.test.mjs'))
      .filter((name) => onlyFiles.length === 0 || onlyFiles.some((word) => name.includes(word)))
      .sort()
      .map((name) => join(testDir, name))
    tests = spawn(
      process.execPath,
      ['--test', '--test-concurrency=1', '--test-timeout=300000', '--test-reporter=spec', ...files],
      {
        cwd: root,
        stdio: 'inherit',
        env: {
          ...process.env,
          E2E_BASE_URL: url,
          E2E_ARTIFACTS: artifacts,
          E2E_HTML_DIR: htmlDir,
          CHROMIUM_PATH: chromiumPath,
        },
      },
    )
    const code = await new Promise((resolve) => tests.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0))))

    const shots = join(artifacts, 'screenshots')
    if (existsSync(shots)) {
      const names = readdirSync(shots).filter((n) => n.endsWith('.png'))
      log(`${names.length} screenshots in ${relative(root, shots)}/`)
    }
    log(`checking the HTML of every page the tests loaded (kept in ${relative(root, htmlDir)}/)`)
    const nu = nuCheck(htmlDir)
    return code !== 0 ? code : nu.errors === 0 ? 0 : 1
  } finally {
    await cleanup()
    log('server stopped (process group gone)')
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error)
    process.exit(1)
  },
)
