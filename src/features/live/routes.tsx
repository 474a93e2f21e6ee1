import { Hono } from 'hono'
import { createPrimaryDb } from '../../db/client'
import type { AppEnv } from '../../env'
import { clientIp, ipBucket } from '../../lib/ip-bucket'
import { LIVE_LANG_HEADER, LIVE_SESSION_EXPIRES_HEADER, LIVE_SESSION_HEADER } from './hub'
import { isSessionLive } from './queries'

export const liveRoutes = new Hono<AppEnv>()

/** The upgrade limiter's period (wrangler.toml): how long a refused address should wait. */
const UPGRADE_RETRY_SECONDS = 60

/**
 * `GET /live`: upgrades to a WebSocket and hands it to the member's hub. Only for a member
 * (session cookie) and only from our own pages: browsers send `Origin` on every WebSocket
 * handshake and a page cannot forge it, so a foreign or missing Origin is refused — else any
 * site could open a visitor's socket with their cookie (cross-site WebSocket hijacking).
 *
 * A socket outlives the request that opened it, so it is tied to its session: the hub tags
 * it with the session id and expiry, revoking the session closes it (`closeLiveSessions`),
 * and it ends within a day in any case (the page then reconnects through a new upgrade).
 */
liveRoutes.get('/live', async (c) => {
  // Upgrades tried per address bucket (an IPv6 client's whole /64), before anything else:
  // each costs a session lookup and a hub call.
  const limiter = c.env.LIVE_UPGRADE_LIMITER
  if (limiter) {
    const { success } = await limiter.limit({ key: `live:${ipBucket(clientIp((name) => c.req.header(name)))}` })
    if (!success) {
      c.header('Retry-After', String(UPGRADE_RETRY_SECONDS))
      return c.text(c.var.t('errors.tooMany.text'), 429)
    }
  }
  const { user, session } = c.var
  if (!user || !session) return c.text(c.var.t('errors.unauthorized.text'), 401)
  const origin = c.req.header('Origin')
  if (!origin || origin !== new URL(c.req.url).origin) return c.text(c.var.t('errors.forbidden.text'), 403)
  if (c.req.header('Upgrade')?.toLowerCase() !== 'websocket') return c.text('Expected a WebSocket upgrade', 426)
  const hubs = c.env.MEMBER_HUB
  if (!hubs) return c.text('Live updates are not configured', 503)
  const hub = hubs.getByName(String(user.id))
  const response = await hub.fetch(
    new Request('https://member-hub/connect', {
      headers: {
        Upgrade: 'websocket',
        [LIVE_LANG_HEADER]: c.var.lang,
        [LIVE_SESSION_HEADER]: session.id,
        [LIVE_SESSION_EXPIRES_HEADER]: String(session.expiresAt),
      },
    }),
  )
  if (response.status === 429) {
    c.header('Retry-After', String(UPGRADE_RETRY_SECONDS))
    return c.text(c.var.t('errors.tooMany.text'), 429)
  }
  // The session is asked again, of the primary, only now that the hub holds the socket. A
  // revocation deletes the row and then closes the session's sockets: if it deleted the row
  // before this look, the socket is closed here; if after, its own close finds the socket.
  // Either way no socket of a revoked session stays open, however the two requests interleave.
  if (response.status === 101 && !(await isSessionLive(createPrimaryDb(c.env.DB), session.id))) {
    await hub.closeSessions([session.id])
  }
  return response
})
