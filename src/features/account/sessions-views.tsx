import type { FieldErrors } from '../../lib/forms'
import type { Lang, Translate } from '../../lib/i18n'
import type { ApiToken } from '../../db/schema'
import { Field } from '../../views/components'
import { RelativeTime } from '../../views/components'
import { SessionGuardField } from '../../views/session-guard'
import { SettingsNav } from '../../views/settings-nav'

/** One signed-in browser, as Settings → Sessions shows it (never its secret). */
export type SessionView = {
  id: string
  browser: string | null
  os: string | null
  country: string | null
  createdAt: number
  lastUsedAt: number
  current: boolean
}

/** An API token as the page shows it: never its secret (nor the hash of it). */
export type ApiTokenView = Omit<ApiToken, 'secretHash'>

/** "Firefox 133 on Ubuntu", or as much of it as the browser told us. */
export function deviceLabel(t: Translate, session: Pick<SessionView, 'browser' | 'os'>): string {
  if (session.browser && session.os) return t('sessions.deviceOn', { browser: session.browser, os: session.os })
  return session.browser ?? session.os ?? t('sessions.unknownDevice')
}

/** The country's name in the reader's language; Tor and "not known" in words. */
export function placeLabel(t: Translate, lang: Lang, country: string | null): string {
  if (country === null) return t('sessions.unknownPlace')
  if (country === 'T1') return t('sessions.tor')
  try {
    return new Intl.DisplayNames([lang], { type: 'region' }).of(country) ?? country
  } catch {
    return country
  }
}

function SessionRow(props: { t: Translate; lang: Lang; session: SessionView }) {
  const { t, lang, session } = props
  return (
    <tr>
      <th scope="row">
        {deviceLabel(t, session)}
        {session.current ? (
          <>
            {' '}
            <strong class="badge this-device">{t('sessions.thisDevice')}</strong>
          </>
        ) : null}
      </th>
      <td>{placeLabel(t, lang, session.country)}</td>
      <td>
        <RelativeTime at={session.createdAt} lang={lang} />
      </td>
      <td>
        <RelativeTime at={session.lastUsedAt} lang={lang} />
      </td>
      <td>
        {session.current ? (
          <form method="post" action="/auth/logout">
            <SessionGuardField />
            <button type="submit" class="secondary">
              {t('nav.logout')}
            </button>
          </form>
        ) : (
          <form method="post" action="/settings/sessions/revoke">
            <SessionGuardField />
            <input type="hidden" name="session" value={session.id} />
            <button
              type="submit"
              class="secondary"
              aria-label={t('sessions.revokeLabel', { device: deviceLabel(t, session) })}
            >
              {t('sessions.revoke')}
            </button>
          </form>
        )}
      </td>
    </tr>
  )
}

/**
 * Settings → Sessions: every browser signed in to the account (this one marked) and every
 * API token, each with a way to end it; "Log out everywhere else" asks for the password
 * when the last one was typed more than a few minutes ago.
 */
export function SessionsPage(props: {
  t: Translate
  lang: Lang
  sessions: SessionView[]
  tokens: ApiTokenView[]
  tokenValues?: { name?: string; remember?: boolean }
  tokenErrors?: FieldErrors
}) {
  const { t, lang, sessions } = props
  const others = sessions.filter((session) => !session.current).length
  return (
    <>
      <SettingsNav t={t} current="sessions" />
      <section class="card" aria-labelledby="sessions-title">
        <h1 id="sessions-title">{t('sessions.title')}</h1>
        <p class="hint">{t('sessions.intro')}</p>
        <table class="settings-table sessions">
          <caption class="sr-only">{t('sessions.caption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('sessions.device')}</th>
              <th scope="col">{t('sessions.place')}</th>
              <th scope="col">{t('sessions.signedIn')}</th>
              <th scope="col">{t('sessions.lastUsed')}</th>
              <th scope="col">
                <span class="sr-only">{t('sessions.actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {sessions.map((session) => (
              <SessionRow t={t} lang={lang} session={session} />
            ))}
          </tbody>
        </table>
        {others > 0 ? (
          <form method="post" action="/settings/sessions/revoke-others" class="revoke-others">
            <SessionGuardField />
            <button type="submit" class="danger">
              {t('sessions.revokeOthers', { count: others })}
            </button>
          </form>
        ) : (
          <p class="empty">{t('sessions.noOthers')}</p>
        )}
      </section>
      <ApiTokensSection t={t} lang={lang} tokens={props.tokens} values={props.tokenValues} errors={props.tokenErrors} />
    </>
  )
}

/**
 * The API tokens part of Settings → Sessions: each live token (name, when made, last used,
 * expiry) with a revoke button, and a form that makes a new one (after a recent password).
 */
export function ApiTokensSection(props: {
  t: Translate
  lang: Lang
  tokens: ApiTokenView[]
  values?: { name?: string; remember?: boolean } | undefined
  errors?: FieldErrors | undefined
}) {
  const { t, lang, tokens, values = {}, errors = {} } = props
  return (
    <section class="card" id="api-tokens" aria-labelledby="api-tokens-title">
      <h2 id="api-tokens-title">{t('apiTokens.title')}</h2>
      <p class="hint">{t('apiTokens.intro')}</p>
      <p>
        <a href="/api/docs">{t('apiTokens.docsLink')}</a>
      </p>
      {tokens.length === 0 ? (
        <p class="empty">{t('apiTokens.none')}</p>
      ) : (
        <table class="settings-table api-tokens">
          <caption class="sr-only">{t('apiTokens.caption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('apiTokens.name')}</th>
              <th scope="col">{t('apiTokens.created')}</th>
              <th scope="col">{t('apiTokens.lastUsed')}</th>
              <th scope="col">{t('apiTokens.expires')}</th>
              <th scope="col">
                <span class="sr-only">{t('apiTokens.actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {tokens.map((token) => (
              <tr id={`token-${token.id}`}>
                <th scope="row">
                  {token.name || t('apiTokens.unnamed')} <code>{`${token.id.slice(0, 6)}…`}</code>
                </th>
                <td>
                  <RelativeTime at={token.createdAt} lang={lang} />
                </td>
                <td>{token.lastUsedAt ? <RelativeTime at={token.lastUsedAt} lang={lang} /> : t('apiTokens.never')}</td>
                <td>
                  <RelativeTime at={token.expiresAt} lang={lang} />
                </td>
                <td>
                  <form method="post" action={`/settings/api-tokens/${token.id}/revoke`}>
                    <SessionGuardField />
                    <button
                      type="submit"
                      class="secondary"
                      aria-label={t('apiTokens.revokeLabel', { name: token.name || token.id.slice(0, 6) })}
                    >
                      {t('apiTokens.revoke')}
                    </button>
                  </form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h3>{t('apiTokens.createTitle')}</h3>
      <form method="post" action="/settings/api-tokens" novalidate>
        <SessionGuardField />
        <Field
          name="name"
          label={t('apiTokens.name')}
          value={values.name}
          error={errors.name ? t(errors.name) : undefined}
          autocomplete="off"
          required
          maxlength={TOKEN_NAME_INPUT_MAX}
          hint={t('apiTokens.nameHint')}
        />
        <div class="field checkbox">
          <input type="checkbox" id="field-remember" name="remember" value="1" checked={values.remember === true} />
          <label for="field-remember">{t('apiTokens.remember')}</label>
        </div>
        <button type="submit">{t('apiTokens.create')}</button>
      </form>
    </section>
  )
}

/** The longest name the input takes (the schema counts characters, this bounds typing). */
const TOKEN_NAME_INPUT_MAX = 50

/** The one time a new token is shown: copy it now, it cannot be shown again. */
export function TokenCreatedPage(props: { t: Translate; lang: Lang; name: string; token: string; expiresAt: number }) {
  const { t, lang } = props
  return (
    <>
      <SettingsNav t={t} current="sessions" />
      <section class="card">
        <h1>{t('apiTokens.createdTitle', { name: props.name })}</h1>
        <p role="status">{t('apiTokens.createdIntro')}</p>
        <p>
          <label for="new-token">{t('apiTokens.token')}</label>
          <input id="new-token" type="text" readonly value={props.token} class="token-value" autocomplete="off" />
        </p>
        <p class="hint">
          {t('apiTokens.createdExpires')} <RelativeTime at={props.expiresAt} lang={lang} />
        </p>
        <p>
          <a href="/settings/sessions#api-tokens">{t('apiTokens.backToList')}</a>
        </p>
      </section>
    </>
  )
}
