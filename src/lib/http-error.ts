import { HTTPException } from 'hono/http-exception'
import type { MessageKey } from './i18n'

/**
 * An expected HTTP failure with a catalog message, turned into an error page (or an htmx
 * fragment) by `app.onError`. `retryAfterSeconds` sets `Retry-After` on 429s.
 */
export class HttpError extends HTTPException {
  readonly messageKey: MessageKey | undefined
  readonly retryAfterSeconds: number | undefined

  constructor(
    status: 400 | 401 | 403 | 404 | 409 | 413 | 415 | 429,
    messageKey?: MessageKey,
    retryAfterSeconds?: number,
  ) {
    super(status, { message: messageKey ?? `HTTP ${status}` })
    this.messageKey = messageKey
    this.retryAfterSeconds = retryAfterSeconds
  }
}
