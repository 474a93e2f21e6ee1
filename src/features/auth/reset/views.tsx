import type { FieldErrors } from '../../../lib/forms'
import type { Translate } from '../../../lib/i18n'
import { Field } from '../../../views/components'

/** "Forgot your password?": asks for the account's email address. */
export function ResetRequestPage(props: { t: Translate; email?: string; errors?: FieldErrors; error?: string }) {
  const { t, errors = {} } = props
  return (
    <section class="card narrow">
      <h1>{t('reset.requestTitle')}</h1>
      {props.error ? (
        <p class="flash flash-error" role="alert">
          {props.error}
        </p>
      ) : null}
      <p>{t('reset.requestIntro')}</p>
      <form method="post" action="/auth/reset-password" novalidate>
        <Field
          name="email"
          type="email"
          label={t('auth.email')}
          value={props.email}
          error={errors.email ? t(errors.email) : undefined}
          autocomplete="email"
          required
        />
        <button type="submit">{t('reset.requestSubmit')}</button>
      </form>
      <p>
        <a href="/auth/login">{t('reset.backToLogin')}</a>
      </p>
    </section>
  )
}

/**
 * The answer to every well-formed request, whether or not the address has an account:
 * the same words, so the page tells nobody who is a member.
 */
export function ResetSentPage(props: { t: Translate }) {
  const { t } = props
  return (
    <section class="card narrow">
      <h1>{t('reset.sentTitle')}</h1>
      <p role="status">{t('reset.sent')}</p>
      <p class="muted">{t('reset.sentHint')}</p>
      <p>
        <a href="/auth/login">{t('reset.backToLogin')}</a>
      </p>
    </section>
  )
}

/** The form behind the emailed link. */
export function NewPasswordPage(props: { t: Translate; token: string; errors?: FieldErrors }) {
  const { t, errors = {} } = props
  const err = (name: string) => (errors[name] ? t(errors[name]) : undefined)
  return (
    <section class="card narrow">
      <h1>{t('reset.newTitle')}</h1>
      <form method="post" action={`/auth/reset-password/${props.token}`} novalidate>
        <Field
          name="password"
          type="password"
          label={t('reset.newPassword')}
          error={err('password')}
          autocomplete="new-password"
          required
          hint={t('auth.passwordHint')}
        />
        <Field
          name="password2"
          type="password"
          label={t('reset.newPassword2')}
          error={err('password2')}
          autocomplete="new-password"
          required
        />
        <button type="submit">{t('reset.newSubmit')}</button>
      </form>
    </section>
  )
}

/** An unknown, expired or used link: say so plainly and offer a new one. */
export function ResetLinkInvalidPage(props: { t: Translate }) {
  const { t } = props
  return (
    <section class="card narrow">
      <h1>{t('reset.invalidTitle')}</h1>
      <p>{t('reset.invalid')}</p>
      <p>
        <a class="button" href="/auth/reset-password">
          {t('reset.askAgain')}
        </a>
      </p>
    </section>
  )
}
