import type { FieldErrors } from '../../lib/forms'
import type { MessageKey, Translate } from '../../lib/i18n'
import { Field } from '../../views/components'
import { SessionGuardField } from '../../views/session-guard'
import { SettingsNav } from '../../views/settings-nav'

const message = (t: Translate, errors: FieldErrors, name: string) => (errors[name] ? t(errors[name]) : undefined)

/** Settings → Account: the email address (changed through a link) and the password. */
export function AccountPage(props: {
  t: Translate
  email: string
  emailValue?: string | undefined
  emailErrors?: FieldErrors
  passwordErrors?: FieldErrors
}) {
  const { t, emailErrors = {}, passwordErrors = {} } = props
  return (
    <>
      <SettingsNav t={t} current="account" />
      <section class="card" aria-labelledby="email-title">
        <h1 id="email-title">{t('account.emailTitle')}</h1>
        <p>{t('account.emailCurrent', { email: props.email })}</p>
        <p class="hint">{t('account.emailIntro')}</p>
        <form method="post" action="/settings/email" novalidate>
          <SessionGuardField />
          <Field
            name="email"
            type="email"
            label={t('account.newEmail')}
            value={props.emailValue}
            error={message(t, emailErrors, 'email')}
            autocomplete="email"
            required
          />
          <button type="submit">{t('account.emailSubmit')}</button>
        </form>
      </section>
      <section class="card" aria-labelledby="password-title">
        <h2 id="password-title">{t('account.passwordTitle')}</h2>
        <p class="hint">{t('account.passwordIntro')}</p>
        <form method="post" action="/settings/password" novalidate>
          <SessionGuardField />
          <Field
            name="current_password"
            type="password"
            label={t('account.currentPassword')}
            error={message(t, passwordErrors, 'current_password')}
            autocomplete="current-password"
            required
          />
          <Field
            name="password"
            type="password"
            label={t('account.newPassword')}
            error={message(t, passwordErrors, 'password')}
            autocomplete="new-password"
            required
            hint={t('auth.passwordHint')}
          />
          <Field
            name="password2"
            type="password"
            label={t('auth.password2')}
            error={message(t, passwordErrors, 'password2')}
            autocomplete="new-password"
            required
          />
          <button type="submit">{t('account.passwordSubmit')}</button>
        </form>
      </section>
    </>
  )
}

/**
 * The step in front of a sensitive change when the password was last typed more than ten
 * minutes ago: the same request again, with everything the member had entered carried in
 * hidden fields, plus their password. Nothing they typed is lost.
 */
export function ConfirmPasswordPage(props: {
  t: Translate
  action: string
  purpose: MessageKey
  fields: [string, string][]
  back: string
  error?: string | undefined
}) {
  const { t } = props
  return (
    <section class="card narrow">
      <h1>{t('reauth.title')}</h1>
      <p>{t(props.purpose)}</p>
      <p class="hint">{t('reauth.why')}</p>
      <form method="post" action={props.action} novalidate>
        <SessionGuardField />
        {props.fields.map(([name, value]) => (
          <input type="hidden" name={name} value={value} />
        ))}
        <Field
          name="current_password"
          type="password"
          label={t('account.currentPassword')}
          error={props.error}
          autocomplete="current-password"
          required
          autofocus
        />
        <button type="submit">{t('reauth.submit')}</button>
      </form>
      <p>
        <a href={props.back}>{t('reauth.cancel')}</a>
      </p>
    </section>
  )
}

/**
 * The page behind the link sent to a new address. Looking is harmless (mail scanners open
 * links): only its button, a POST, changes the address.
 */
export function ConfirmEmailPage(props: { t: Translate; token: string; email: string }) {
  const { t } = props
  return (
    <section class="card narrow">
      <h1>{t('account.confirmTitle')}</h1>
      <p>{t('account.confirmIntro', { email: props.email })}</p>
      <form method="post" action={`/auth/confirm-email/${props.token}`}>
        <button type="submit">{t('account.confirmSubmit')}</button>
      </form>
    </section>
  )
}

/** A link that is unknown, used or expired, or whose address is no longer free. */
export function EmailLinkProblemPage(props: { t: Translate; reason: 'invalid' | 'taken' }) {
  const { t } = props
  return (
    <section class="card narrow">
      <h1>{t('account.linkProblemTitle')}</h1>
      <p role="alert">{t(props.reason === 'taken' ? 'account.linkTaken' : 'account.linkInvalid')}</p>
      <p>
        <a href="/settings/account">{t('account.linkAgain')}</a>
      </p>
    </section>
  )
}
