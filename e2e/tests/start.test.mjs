// `npm start` as a newcomer runs it, on a fresh database in a temporary folder: the first
// start prints one line for the demo data (not thousands of lines of JSON) and no
// `Request.cf` fetch error; `npm start -- --port N` and `PORT=N npm start` both serve on N.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '../..')

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}

/** Runs `node scripts/start.mjs ...args` in its own process group until /healthz answers. */
async function start(args, env = {}) {
  const child = spawn(process.execPath, [join(root, 'scripts/start.mjs'), ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout.on('data', (chunk) => (output += chunk))
  child.stderr.on('data', (chunk) => (output += chunk))
  const stop = async () => {
    try {
      process.kill(-child.pid, 'SIGTERM')
    } catch {
      return
    }
    for (let i = 0; i < 50; i++) {
      try {
        process.kill(-child.pid, 0)
      } catch {
        return
      }
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    try {
      process.kill(-child.pid, 'SIGKILL')
    } catch {
      // gone
    }
  }
  return { child, stop, output: () => output }
}

async function waitForHealth(port, run, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (run.child.exitCode !== null) throw new Error(`npm start exited:\n${run.output()}`)
    try {
      const response = await fetch(`http://127.0.0.1:${port}/healthz`)
      if (response.ok) return
    } catch {
      // not yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  throw new Error(`no answer on port ${port}:\n${run.output()}`)
}

test('first start: one line for the demo data, no Request.cf error; --port and PORT both work', async () => {
  const state = mkdtempSync(join(tmpdir(), 'microblog-start-'))
  try {
    const port = await freePort()
    const first = await start([
      '--port',
      String(port),
      '--persist-to',
      state,
      '--inspector-port',
      String(await freePort()),
    ])
    try {
      await waitForHealth(port, first)
    } finally {
      await first.stop()
    }
    const lines = first.output().split('\n')
    const demo = lines.filter((line) => line.startsWith('Demo data'))
    assert.equal(demo.length, 1, first.output())
    assert.match(demo[0], /^Demo data loaded: 12 users, \d+ posts, \d+ follows — log in as "susan"/)
    assert.doesNotMatch(first.output(), /Request\.cf/)
    assert.doesNotMatch(first.output(), /"results"/) // no JSON from `d1 execute --file`
    assert.doesNotMatch(first.output(), /expects a single value/)

    const envPort = await freePort()
    const second = await start(['--persist-to', state, '--inspector-port', String(await freePort())], {
      PORT: String(envPort),
    })
    try {
      await waitForHealth(envPort, second)
    } finally {
      await second.stop()
    }
    assert.match(second.output(), /Demo data: skipped \(the local database already has 12 users\)/)
  } finally {
    rmSync(state, { recursive: true, force: true })
  }
})
