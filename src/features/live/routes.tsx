import { Hono } from 'hono'
import type { AppEnv } from '../../env'
import { LIVE_LANG_HEADER } from './hub'

export const liveRoutes = new Hono<AppEnv>()

/**
 * `GET /live`: upgrades to a WebSocket and hands it to the member's hub. Only for a member
 * (session cookie) and only from our own pages: browsers send `Origin` on every WebSocket
 * handshake and a page cannot forge it, so a foreign or missing Origin is refused — else any
 * site could open a visitor's socket with their cookie (cross-site WebSocket hijacking).
 */
liveRoutes.get('/live', async (c) => {
  const user = c.var.user
  if (!user) return c.text(c.var.t('errors.unauthorized.text'), 401)
  const origin = c.req.header('Origin')
  if (!origin || origin !== new URL(c.req.url).origin) return c.text(c.var.t('errors.forbidden.text'), 403)
  if (c.req.header('Upgrade')?.toLowerCase() !== 'websocket') return c.text('Expected a WebSocket upgrade', 426)
  const hubs = c.env.MEMBER_HUB
  if (!hubs) return c.text('Live updates are not configured', 503)
  const hub = hubs.getByName(String(user.id))
  return hub.fetch(
    new Request('https://member-hub/connect', {
      headers: { Upgrade: 'websocket', [LIVE_LANG_HEADER]: c.var.lang },
    }),
  )
})
