// workerd's inspector (Miniflare's `inspectorPort`) through the DevTools protocol: one session
// per isolate. Used by the profiler (bench/profile.mjs), `npm run bench:memory` and
// `npm run stress` (the app isolate's live heap).
/* global WebSocket */

/** One DevTools-protocol session over a WebSocket; events go to `on(method, listener)`. */
export class Session {
  #ws
  #nextId = 1
  #pending = new Map()
  #listeners = new Map()

  static async open(url) {
    const session = new Session()
    session.#ws = new WebSocket(url)
    await new Promise((resolve, reject) => {
      session.#ws.addEventListener('open', resolve, { once: true })
      session.#ws.addEventListener('error', () => reject(new Error(`inspector: cannot open ${url}`)), { once: true })
    })
    session.#ws.addEventListener('message', (event) => {
      const message = JSON.parse(String(event.data))
      if (message.id === undefined) {
        session.#listeners.get(message.method)?.(message.params)
        return
      }
      const waiter = session.#pending.get(message.id)
      if (!waiter) return
      session.#pending.delete(message.id)
      if (message.error) waiter.reject(new Error(`inspector: ${message.error.message}`))
      else waiter.resolve(message.result)
    })
    return session
  }

  /** Sends a command; with `timeoutMs`, rejects if workerd leaves it unanswered. */
  send(method, params = {}, timeoutMs = 0) {
    const id = this.#nextId++
    this.#ws.send(JSON.stringify({ id, method, params }))
    return new Promise((resolve, reject) => {
      const timer =
        timeoutMs > 0 &&
        setTimeout(() => {
          this.#pending.delete(id)
          reject(new Error(`inspector: ${method}: no answer in ${timeoutMs} ms`))
        }, timeoutMs)
      const done = (fn) => (value) => {
        if (timer) clearTimeout(timer)
        fn(value)
      }
      this.#pending.set(id, { resolve: done(resolve), reject: done(reject) })
    })
  }

  on(method, listener) {
    this.#listeners.set(method, listener)
  }

  close() {
    this.#ws.close()
  }
}

/** The inspector's targets (one per isolate: `core:user:<worker>`, `d1:db`, …). */
export async function inspectorTargets(mf) {
  const inspector = await mf.getInspectorURL()
  const listUrl = new URL('/json/list', inspector.href.replace(/^ws:/, 'http:'))
  return (await fetch(listUrl)).json()
}

/** Opens a session on the isolate whose target id is `id` (null when there is none). */
export async function openIsolate(mf, id) {
  const target = (await inspectorTargets(mf)).find((t) => t.id === id)
  return target ? Session.open(target.webSocketDebuggerUrl) : null
}

/**
 * The isolate's live JS heap in MiB: what is left after a full garbage collection. workerd
 * does not answer HeapProfiler.collectGarbage, but a heap snapshot collects first; the
 * snapshot itself (~15 MB of JSON for the app) is discarded as it streams in.
 */
export async function liveHeapMiB(session) {
  session.on('HeapProfiler.addHeapSnapshotChunk', () => {})
  await session.send('HeapProfiler.enable', {}, 5000)
  await session.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false }, 60_000)
  const usage = await session.send('Runtime.getHeapUsage', {}, 5000)
  return usage.usedSize / 1048576
}
