import { DurableObject } from 'cloudflare:workers'
import type { Bindings } from '../../env'
import { DEFAULT_LANGUAGE, isLang, type Lang } from '../../lib/i18n'
import type { LiveEvent } from './events'
import { newPostsFragment } from './views'

/** The header the Worker uses to tell the hub the language of the page that connects. */
export const LIVE_LANG_HEADER = 'X-Live-Lang'
/** The session the socket was opened with, and when that session expires (epoch ms). */
export const LIVE_SESSION_HEADER = 'X-Live-Session'
export const LIVE_SESSION_EXPIRES_HEADER = 'X-Live-Session-Expires'

/**
 * A socket lives at most this long, whatever its session's lifetime: a "remember me"
 * session lasts 30 days, and a socket is not re-checked once open. The page reconnects
 * through a fresh upgrade, which checks the session again.
 */
export const LIVE_SOCKET_MAX_MS = 24 * 60 * 60 * 1000
/** Open sockets per member (one a tab); more upgrades are refused until one closes. */
export const LIVE_SOCKETS_PER_MEMBER = 20

/**
 * Close codes. A socket whose session ended gets 1008 (policy): the live channel does not
 * reconnect on it. A socket whose time is up gets 1012 (service restart), on which it does:
 * its new upgrade is checked like any other.
 */
export const CLOSE_SESSION_ENDED = 1008
export const CLOSE_TIME_UP = 1012

/**
 * Per-socket state the hub keeps in the socket's attachment (survives hibernation). `export`
 * is the export whose progress the socket's page shows (it said so with `export-watch`).
 */
type SocketState = { lang: Lang; newPosts: number; export?: number }

/**
 * What the hub knows of each socket besides its rendering state: the session it was opened
 * with (revoking that session closes it) and when it must end (its session's expiry, or
 * LIVE_SOCKET_MAX_MS after it opened, whichever is first). `endsAt` 0 marks a socket already
 * being closed.
 */
export type SocketTag = { sessionId: string; endsAt: number }
type Attachment = SocketState & SocketTag

/** Storage key of the member's latest export event (replayed to a page that connects late). */
const EXPORT_KEY = 'export'
/** Storage key of the time the kept export event is to be forgotten. */
const EXPORT_FORGET_KEY = 'export-forget-at'
/** A finished export's last state is kept this long for late pages, then forgotten (alarm). */
export const EXPORT_KEEP_MS = 60 * 60 * 1000
/**
 * Storage key set when the member's account is deleted: the hub keeps nothing more (an
 * export's push still in flight would store its state again) and opens no socket.
 */
const GONE_KEY = 'gone'

type ExportEvent = Extract<LiveEvent, { type: 'export' }>

/** What one socket is sent for an event, or null when the event is not for that page. */
function fragmentFor(event: LiveEvent, state: SocketState): string | null {
  switch (event.type) {
    case 'fragment':
      return event.html[state.lang] ?? null
    case 'post':
      return newPostsFragment(state.lang, state.newPosts)
    case 'export':
      // Export progress goes only to the pages that show that export.
      return state.export === event.id ? (event.html[state.lang] ?? null) : null
    default:
      // An event this version does not know (sent by another version during a deploy).
      return null
  }
}

/**
 * One per member (named by user id): holds that member's open WebSockets — one per tab —
 * with the Hibernation API, so an idle socket costs nothing: the object is evicted from
 * memory while the runtime keeps the connections, and wakes for a notify or a message.
 * It reads no database: writes send it events (`notify`, over RPC) holding their fragments
 * already rendered in every language, and it sends each socket those of its language.
 */
export class MemberHub extends DurableObject<Bindings> {
  /**
   * Accepts a WebSocket handed over by `GET /live` (which checked session and Origin), tagged
   * with its session and its end. Past LIVE_SOCKETS_PER_MEMBER open sockets → 429.
   */
  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get('Upgrade')?.toLowerCase() !== 'websocket') {
      return new Response('Expected a WebSocket upgrade', { status: 426 })
    }
    const sessionId = request.headers.get(LIVE_SESSION_HEADER)
    const expiresAt = Number(request.headers.get(LIVE_SESSION_EXPIRES_HEADER))
    if (!sessionId || !Number.isSafeInteger(expiresAt)) return new Response('Missing session', { status: 400 })
    if (await this.ctx.storage.get<boolean>(GONE_KEY)) return new Response('Gone', { status: 410 })
    const now = Date.now()
    this.closeTimeUp(now)
    if (this.openSockets().length >= LIVE_SOCKETS_PER_MEMBER) return new Response(null, { status: 429 })
    const requested = request.headers.get(LIVE_LANG_HEADER)
    const { 0: client, 1: server } = new WebSocketPair()
    this.ctx.acceptWebSocket(server)
    const attachment: Attachment = {
      lang: isLang(requested) ? requested : DEFAULT_LANGUAGE,
      newPosts: 0,
      sessionId,
      endsAt: Math.min(expiresAt, now + LIVE_SOCKET_MAX_MS),
    }
    server.serializeAttachment(attachment)
    await this.scheduleAlarm()
    return new Response(null, { status: 101, webSocket: client })
  }

  /**
   * Sockets not yet being closed, with their attachments. One accepted before sockets were
   * tagged counts as long over: the next sweep closes it and its page reconnects.
   */
  private openSockets(): Array<{ ws: WebSocket; state: Attachment }> {
    const open: Array<{ ws: WebSocket; state: Attachment }> = []
    for (const ws of this.ctx.getWebSockets()) {
      const state = ws.deserializeAttachment() as Attachment | null
      if (state?.endsAt === 0) continue
      open.push({ ws, state: state?.endsAt ? state : ({ ...state, sessionId: '', endsAt: 1 } as Attachment) })
    }
    return open
  }

  /** Marks a socket as ending (no more pushes, not counted) and closes it. */
  private end(ws: WebSocket, state: Attachment, code: number): void {
    try {
      ws.serializeAttachment({ ...state, endsAt: 0 })
      ws.close(code, code === CLOSE_SESSION_ENDED ? 'session ended' : 'reconnect')
    } catch {
      // Already closed.
    }
  }

  /** Closes the sockets whose time is up; the rest stay. */
  private closeTimeUp(now: number): void {
    for (const { ws, state } of this.openSockets()) if (state.endsAt <= now) this.end(ws, state, CLOSE_TIME_UP)
  }

  /**
   * Closes the sockets opened with these sessions (or all of the member's) at once: the
   * sessions were revoked (logout, password reset, account deletion, a revoked device).
   * Returns how many were closed.
   */
  async closeSessions(sessionIds: readonly string[] | 'all'): Promise<number> {
    const revoked = sessionIds === 'all' ? null : new Set(sessionIds)
    let closed = 0
    for (const { ws, state } of this.openSockets()) {
      if (revoked && !revoked.has(state.sessionId)) continue
      this.end(ws, state, CLOSE_SESSION_ENDED)
      closed += 1
    }
    return closed
  }

  /**
   * The member's account is deleted: every socket closes and everything stored goes (the
   * kept export state included), for good — user ids are never reused.
   */
  async forget(): Promise<void> {
    await this.closeSessions('all')
    await this.ctx.storage.deleteAlarm()
    await this.ctx.storage.deleteAll()
    await this.ctx.storage.put(GONE_KEY, true)
  }

  /** Pushes an event to every open socket of the member; returns how many got it. */
  async notify(event: LiveEvent): Promise<number> {
    if (event.type === 'export') await this.keepExport(event)
    const now = Date.now()
    let sent = 0
    for (const { ws, state } of this.openSockets()) {
      // Checked at each push too: an alarm may run late, a push must not.
      if (state.endsAt <= now) {
        this.end(ws, state, CLOSE_TIME_UP)
        continue
      }
      if (event.type === 'post') {
        state.newPosts += 1
        ws.serializeAttachment(state)
      }
      const html = fragmentFor(event, state)
      if (html === null) continue
      try {
        ws.send(html)
        sent += 1
      } catch {
        // The socket closed between getWebSockets() and send(); the runtime drops it.
      }
    }
    return sent
  }

  /** How many sockets the member has open (tests and diagnostics). */
  async socketCount(): Promise<number> {
    return this.openSockets().length
  }

  /**
   * Remembers the latest export event: a page rendered just before a push, whose socket
   * opened just after it, asks for it (`export-watch`) and so never misses the last state.
   * Once the export is over, an alarm forgets it.
   */
  private async keepExport(event: ExportEvent): Promise<void> {
    if (await this.ctx.storage.get<boolean>(GONE_KEY)) return
    await this.ctx.storage.put(EXPORT_KEY, event)
    if (event.finished) {
      await this.ctx.storage.put(EXPORT_FORGET_KEY, Date.now() + EXPORT_KEEP_MS)
      await this.scheduleAlarm()
    }
  }

  /**
   * One alarm serves two clocks: the first socket's end and the kept export's forgetting.
   * It is set to the earlier of the two, and set again after each run.
   */
  private async scheduleAlarm(): Promise<void> {
    const ends = this.openSockets().map(({ state }) => state.endsAt)
    const forgetAt = await this.ctx.storage.get<number>(EXPORT_FORGET_KEY)
    const next = Math.min(...ends, forgetAt ?? Infinity)
    if (next === Infinity) return
    const current = await this.ctx.storage.getAlarm()
    if (current === null || next < current) await this.ctx.storage.setAlarm(next)
  }

  override async alarm(): Promise<void> {
    const now = Date.now()
    this.closeTimeUp(now)
    const forgetAt = await this.ctx.storage.get<number>(EXPORT_FORGET_KEY)
    if (forgetAt !== undefined && forgetAt <= now) {
      const kept = await this.ctx.storage.get<ExportEvent>(EXPORT_KEY)
      if (kept?.finished) await this.ctx.storage.delete(EXPORT_KEY)
      await this.ctx.storage.delete(EXPORT_FORGET_KEY)
    }
    await this.scheduleAlarm()
  }

  /** A page shows export `id`: it gets that export's pushes from now on, and the latest state now. */
  private async watchExport(ws: WebSocket, id: number): Promise<void> {
    const state = ws.deserializeAttachment() as Attachment
    if (!state || !(state.endsAt > 0)) return
    state.export = id
    ws.serializeAttachment(state)
    const kept = await this.ctx.storage.get<ExportEvent>(EXPORT_KEY)
    const html = kept ? fragmentFor(kept, state) : null
    if (html !== null) ws.send(html)
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
      const state = ws.deserializeAttachment() as Attachment
      if (!state || !(state.endsAt > 0)) return
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
