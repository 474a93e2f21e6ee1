import type { MiddlewareHandler } from 'hono'
import type { Bindings } from '../env'

/**
 * The secrets the app must not run without, in every environment (wrangler.toml gives the
 * local ones development values; production sets them with `wrangler secret put`). Without
 * one the app would quietly do something unsafe — sign search cursors with a key anyone can
 * read — or break later and elsewhere, so it refuses every request instead, loudly.
 * SMTP_PASSWORD is required only when the SMTP transport logs in with a user.
 */
export function missingSecrets(env: Partial<Bindings>): string[] {
  const missing: string[] = []
  if (!env.CURSOR_SECRET) missing.push('CURSOR_SECRET')
  if (!env.DEVICE_COOKIE_SECRET) missing.push('DEVICE_COOKIE_SECRET')
  if (env.EMAIL_TRANSPORT === 'smtp' && env.SMTP_USER && !env.SMTP_PASSWORD) missing.push('SMTP_PASSWORD')
  return missing
}

/** What a request fails with while a required secret is missing (names only, never values). */
export class MissingSecretsError extends Error {
  override name = 'MissingSecretsError'
}

/**
 * First in the chain of the site and of the API: a missing required secret fails every
 * request with a 500 (through the app's own error handler, which also alerts the admins)
 * and one log line that says which secret and how to set it.
 */
export const requireSecrets: MiddlewareHandler<{ Bindings: Bindings }> = async (c, next) => {
  const missing = missingSecrets(c.env)
  if (missing.length > 0) {
    console.error(
      JSON.stringify({
        level: 'error',
        event: 'config.missing-secrets',
        missing,
        fix: missing.map((name) => `wrangler secret put ${name} --env production`),
      }),
    )
    throw new MissingSecretsError(`Required secrets are not set: ${missing.join(', ')}`)
  }
  await next()
}
