import { factory } from '../env'

/**
 * Our own id for each request, in logs, alerts, the 500 page and `X-Request-Id`. A client's
 * `X-Request-Id` is never adopted: it could collide with another request's id on purpose
 * and make logs point at the wrong request (logError keeps it as a separate field).
 */
export const requestId = factory.createMiddleware(async (c, next) => {
  const id = crypto.randomUUID()
  c.set('requestId', id)
  c.header('X-Request-Id', id)
  await next()
})
