import type { Translate } from '../lib/i18n'

export type ErrorStatus = 400 | 401 | 403 | 404 | 405 | 409 | 413 | 415 | 422 | 429 | 500

const TITLES = {
  400: 'errors.badRequest.title',
  401: 'errors.unauthorized.title',
  403: 'errors.forbidden.title',
  404: 'errors.notFound.title',
  405: 'errors.methodNotAllowed.title',
  409: 'errors.conflict.title',
  413: 'errors.tooLarge.title',
  415: 'errors.badRequest.title',
  422: 'errors.badRequest.title',
  429: 'errors.tooMany.title',
  500: 'errors.server.title',
} as const

const TEXTS = {
  400: 'errors.badRequest.text',
  401: 'errors.unauthorized.text',
  403: 'errors.forbidden.text',
  404: 'errors.notFound.text',
  405: 'errors.methodNotAllowed.text',
  409: 'errors.otherAccount',
  413: 'errors.tooLarge.text',
  415: 'errors.badRequest.text',
  422: 'errors.badRequest.text',
  429: 'errors.tooMany.text',
  500: 'errors.server.text',
} as const

export function errorTitle(t: Translate, status: ErrorStatus): string {
  return t(TITLES[status])
}

/** The body of an error page; `message` replaces the generic text when given. */
export function ErrorPage(props: { status: ErrorStatus; t: Translate; message?: string; requestId?: string }) {
  const { t, status } = props
  return (
    <section class="error-page">
      <h1>{errorTitle(t, status)}</h1>
      <p>{props.message ?? t(TEXTS[status])}</p>
      {props.requestId ? <p class="muted">{t('errors.reference', { id: props.requestId })}</p> : null}
      <p>
        <a href="/">{t('errors.home')}</a>
      </p>
    </section>
  )
}

/** What an htmx request gets instead of a page: one line for the message area. */
export function ErrorFragment(props: { status: ErrorStatus; t: Translate; message?: string }) {
  return (
    <p class="flash flash-error" role="alert">
      {props.message ?? props.t(TEXTS[props.status])}
    </p>
  )
}
