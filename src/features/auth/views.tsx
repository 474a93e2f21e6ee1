import type { FieldErrors } from '../../lib/forms'
import type { Translate } from '../../lib/i18n'
import { Field } from '../../views/components'

export type RegisterValues = { username?: string; email?: string }

export function RegisterPage(props: { t: Translate; values?: RegisterValues; errors?: FieldErrors }) {
  const { t, values = {}, errors = {} } = props
  const err = (name: string) => (errors[name] ? t(errors[name]) : undefined)
  return (
    <section class="card narrow">
      <h1>{t('auth.registerTitle')}</h1>
      <form method="post" action="/auth/register" novalidate>
        <Field
          name="username"
          label={t('auth.username')}
          value={values.username}
          error={err('username')}
          autocomplete="username"
          required
          maxlength={32}
          hint={t('auth.usernameHint')}
        />
        <Field
          name="email"
          type="email"
          label={t('auth.email')}
          value={values.email}
          error={err('email')}
          autocomplete="email"
          required
        />
        <Field
          name="password"
          type="password"
          label={t('auth.password')}
          error={err('password')}
          autocomplete="new-password"
          required
          hint={t('auth.passwordHint')}
        />
        <Field
          name="password2"
          type="password"
          label={t('auth.password2')}
          error={err('password2')}
          autocomplete="new-password"
          required
        />
        <button type="submit">{t('auth.registerSubmit')}</button>
      </form>
      <p>
        {t('auth.haveAccount')} <a href="/auth/login">{t('auth.loginLink')}</a>
      </p>
    </section>
  )
}

/** The login page: `next` is where a successful login goes (checked again on the way in). */
export function LoginPage(props: {
  t: Translate
  next: string
  login?: string | undefined
  remember?: boolean | undefined
  error?: string | undefined
}) {
  const { t } = props
  return (
    <section class="card narrow">
      <h1>{t('auth.loginTitle')}</h1>
      {props.error ? (
        <p class="flash flash-error" role="alert" id="login-error">
          {props.error}
        </p>
      ) : null}
      <form method="post" action="/auth/login" novalidate>
        <input type="hidden" name="next" value={props.next} />
        <Field name="login" label={t('auth.usernameOrEmail')} value={props.login} autocomplete="username" required />
        <Field name="password" type="password" label={t('auth.password')} autocomplete="current-password" required />
        <div class="field checkbox">
          <input type="checkbox" id="field-remember" name="remember" value="1" checked={props.remember} />
          <label for="field-remember">{t('auth.rememberMe')}</label>
        </div>
        <button type="submit">{t('auth.loginSubmit')}</button>
      </form>
      <p>
        <a href="/auth/reset-password">{t('auth.forgotPassword')}</a>
      </p>
      <p>
        {t('auth.newHere')} <a href="/auth/register">{t('auth.registerLink')}</a>
      </p>
    </section>
  )
}
