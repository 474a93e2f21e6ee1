import { DurableObject } from 'cloudflare:workers'
import type { Bindings } from '../../env'
import { DEFAULT_LANGUAGE, isLang } from '../../lib/i18n'
import type { LiveEvent } from './events'
import { renderLiveEvent, type SocketState } from './views'

/** The header the Worker uses to tell the hub the language of the page that connects. */
export const LIVE_LANG_HEADER = 'X-Live-Lang'

/** Storage key of the member's latest export event (replayed to a page that connects late). */
const EXPORT_KEY = 'export'
/** A finished export's last state is kept this long for late pages, then forgotten (alarm). */
export const EXPORT_KEEP_MS = 60 * 60 * 1000

/**
 * One per member (named by user id): holds that member's open WebSockets — one per tab —
 * with the Hibernation API, so an idle socket costs nothing: the object is evicted from
 * memory while the runtime keeps the connections, and wakes for a notify or a message.
 * It reads no database: writes send it events (`notify`, over RPC) and it renders the
 * fragments for each socket in that socket's language.
 */
export class MemberHub extends DurableObject<Bindings> {
  /** Accepts a WebSocket handed over by `GET /live` (which checked session and Origin). */
  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get('Upgrade')?.toLowerCase() !== 'websocket') {
      return new Response('Expected a WebSocket upgrade', { status: 426 })
    }
    const requested = request.headers.get(LIVE_LANG_HEADER)
    const { 0: client, 1: server } = new WebSocketPair()
    this.ctx.acceptWebSocket(server)
    const state: SocketState = { lang: isLang(requested) ? requested : DEFAULT_LANGUAGE, newPosts: 0 }
    server.serializeAttachment(state)
    return new Response(null, { status: 101, webSocket: client })
  }

  /** Pushes an event to every open socket of the member; returns how many got it. */
  async notify(event: LiveEvent): Promise<number> {
    if (event.type === 'export') await this.keepExport(event)
    let sent = 0
    for (const ws of this.ctx.getWebSockets()) {
      const state = ws.deserializeAttachment() as SocketState
      // Export progress goes only to the pages that show that export.
      if (event.type === 'export' && state.export !== event.job.id) continue
      if (event.type === 'post') {
        state.newPosts += 1
        ws.serializeAttachment(state)
      }
      try {
        ws.send(await renderLiveEvent(event, state))
        sent += 1
      } catch {
        // The socket closed between getWebSockets() and send(); the runtime drops it.
      }
    }
    return sent
  }

  /** How many sockets the member has open (tests and diagnostics). */
  async socketCount(): Promise<number> {
    return this.ctx.getWebSockets().length
  }

  /**
   * Remembers the latest export event: a page rendered just before a push, whose socket
   * opened just after it, asks for it (`export-watch`) and so never misses the last state.
   * Once the export is over, an alarm forgets it.
   */
  private async keepExport(event: Extract<LiveEvent, { type: 'export' }>): Promise<void> {
    await this.ctx.storage.put(EXPORT_KEY, event)
    if (event.job.state === 'done' || event.job.state === 'failed') {
      await this.ctx.storage.setAlarm(Date.now() + EXPORT_KEEP_MS)
    }
  }

  override async alarm(): Promise<void> {
    const kept = await this.ctx.storage.get<Extract<LiveEvent, { type: 'export' }>>(EXPORT_KEY)
    if (kept && (kept.job.state === 'done' || kept.job.state === 'failed')) await this.ctx.storage.delete(EXPORT_KEY)
  }

  /** A page shows export `id`: it gets that export's pushes from now on, and the latest state now. */
  private async watchExport(ws: WebSocket, id: number): Promise<void> {
    const state = ws.deserializeAttachment() as SocketState
    state.export = id
    ws.serializeAttachment(state)
    const kept = await this.ctx.storage.get<Extract<LiveEvent, { type: 'export' }>>(EXPORT_KEY)
    if (kept?.job.id === id) ws.send(await renderLiveEvent(kept, state))
  }

  /**
   * What a page tells its hub: `seen` (it showed the new posts: count from zero again for
   * that tab) and `export-watch` (it shows the progress of that export).
   */
  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    if (typeof message !== 'string' || message.length > 200) return
    let parsed: unknown
    try {
      parsed = JSON.parse(message)
    } catch {
      return
    }
    const { type, id } = (parsed ?? {}) as { type?: unknown; id?: unknown }
    if (type === 'seen') {
      const state = ws.deserializeAttachment() as SocketState
      state.newPosts = 0
      ws.serializeAttachment(state)
    } else if (type === 'export-watch' && typeof id === 'number' && Number.isSafeInteger(id) && id > 0) {
      await this.watchExport(ws, id)
    }
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    try {
      ws.close(code === 1005 || code === 1006 ? 1000 : code, 'closing')
    } catch {
      // Already closed.
    }
  }
}
