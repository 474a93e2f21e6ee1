import { z } from '@hono/zod-openapi'
import type { Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { createTranslator, DEFAULT_LANGUAGE, isLang, type MessageKey, type Translate } from '../../lib/i18n'

/**
 * Every error under /api is `{ error, message, fields? }` with the right status — never
 * an HTML page. `error` is a stable machine code, `message` human text (in the language
 * of Accept-Language, English by default), `fields` the per-field messages of a 422.
 */
export const ERROR_CODES = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'validation_failed',
  429: 'rate_limited',
  500: 'internal_error',
} as const

export type ErrorStatus = keyof typeof ERROR_CODES

const DEFAULT_MESSAGES: Record<ErrorStatus, MessageKey> = {
  400: 'api.error.badRequest',
  401: 'api.error.unauthorized',
  403: 'api.error.forbidden',
  404: 'api.error.notFound',
  405: 'api.error.methodNotAllowed',
  409: 'api.error.conflict',
  413: 'api.error.tooLarge',
  415: 'api.error.unsupportedType',
  422: 'api.error.validation',
  429: 'api.error.tooMany',
  500: 'api.error.server',
}

export const errorSchema = z
  .strictObject({
    error: z.string().openapi({ example: 'not_found' }),
    message: z.string().openapi({ example: 'Nothing lives at that address.' }),
    fields: z
      .record(z.string(), z.string())
      .optional()
      .openapi({ description: 'Per-field messages (validation errors only).' }),
  })
  .openapi('Error')

export type ApiErrorBody = z.infer<typeof errorSchema>

/** An expected API failure; `app.onError` of the API turns it into the JSON body. */
export class ApiError extends Error {
  constructor(
    readonly status: ErrorStatus,
    readonly messageKey?: MessageKey,
    readonly options: {
      fields?: Record<string, MessageKey>
      headers?: Record<string, string>
      params?: Record<string, string | number>
    } = {},
  ) {
    super(messageKey ?? ERROR_CODES[status])
  }
}

/** The reader's language for API messages: Accept-Language, else English. */
export function apiTranslator(c: Context): Translate {
  const header = c.req.header('Accept-Language') ?? ''
  for (const part of header.split(',')) {
    const tag = part.split(';')[0]?.trim().toLowerCase().split('-')[0]
    if (isLang(tag)) return createTranslator(tag)
  }
  return createTranslator(DEFAULT_LANGUAGE)
}

/** Answers an error as JSON; 401s challenge for a bearer token. */
export function errorResponse(
  c: Context,
  status: ErrorStatus,
  messageKey?: MessageKey,
  fields?: Record<string, MessageKey>,
  headers: Record<string, string> = {},
  params?: Record<string, string | number>,
) {
  const t = apiTranslator(c)
  const body: ApiErrorBody = {
    error: ERROR_CODES[status],
    message: t(messageKey ?? DEFAULT_MESSAGES[status], params),
  }
  if (fields) body.fields = Object.fromEntries(Object.entries(fields).map(([name, key]) => [name, t(key)]))
  if (status === 401) c.header('WWW-Authenticate', 'Bearer realm="microblog"')
  for (const [name, value] of Object.entries(headers)) c.header(name, value)
  return c.json(body, status as ContentfulStatusCode)
}

/** Maps anything thrown under /api to its JSON answer; null for an unexpected error (→ 500). */
export function knownErrorResponse(c: Context, error: unknown) {
  if (error instanceof ApiError) {
    const { fields, headers, params } = error.options
    return errorResponse(c, error.status, error.messageKey, fields, headers, params)
  }
  if (error instanceof HTTPException) {
    // Hono's own: a malformed JSON body (400), a body without a JSON Content-Type (415).
    const status = (error.status in ERROR_CODES ? error.status : 400) as ErrorStatus
    const key: MessageKey | undefined = status === 400 ? 'api.error.malformedJson' : undefined
    return errorResponse(c, status, key)
  }
  return null
}

/** The documented error answers of an operation, for `createRoute({ responses })`. */
export function errorResponses(...statuses: ErrorStatus[]) {
  const descriptions: Record<ErrorStatus, string> = {
    400: 'Malformed request (bad JSON, cursor or parameter)',
    401: 'Missing, invalid or expired bearer token',
    403: 'Not allowed for this member',
    404: 'No such resource',
    405: 'Method not allowed',
    409: 'Conflicts with an earlier request',
    413: 'Body over 64 KB',
    415: 'Body is not JSON',
    422: 'Validation failed (see `fields`)',
    429: 'Rate limited (see Retry-After)',
    500: 'Unexpected error',
  }
  const all = [...new Set<ErrorStatus>([...statuses, 429, 500])]
  return Object.fromEntries(
    all.map((status) => [
      status,
      { description: descriptions[status], content: { 'application/json': { schema: errorSchema } } },
    ]),
  ) as Record<ErrorStatus, { description: string; content: { 'application/json': { schema: typeof errorSchema } } }>
}
