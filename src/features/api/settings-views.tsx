import type { ApiToken } from '../../db/schema'
import type { Lang, Translate } from '../../lib/i18n'
import { RelativeTime } from '../../views/components'
import { SessionGuardField } from '../../views/session-guard'
import { SettingsNav } from '../../views/settings-nav'

/** Settings → API tokens: your live tokens (never their secrets) and a revoke button each. */
export function ApiTokensPage(props: { t: Translate; lang: Lang; tokens: ApiToken[] }) {
  const { t, lang, tokens } = props
  return (
    <>
      <SettingsNav t={t} current="api-tokens" />
      <section class="card">
        <h1>{t('apiTokens.title')}</h1>
        <p class="hint">{t('apiTokens.intro')}</p>
        <p>
          <a href="/api/docs">{t('apiTokens.docsLink')}</a>
        </p>
        {tokens.length === 0 ? (
          <p class="empty">{t('apiTokens.none')}</p>
        ) : (
          <table class="api-tokens">
            <thead>
              <tr>
                <th scope="col">{t('apiTokens.token')}</th>
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
                  <td>
                    <code>{`${token.id.slice(0, 6)}…`}</code>
                  </td>
                  <td>
                    <RelativeTime at={token.createdAt} lang={lang} />
                  </td>
                  <td>
                    {token.lastUsedAt ? <RelativeTime at={token.lastUsedAt} lang={lang} /> : t('apiTokens.never')}
                  </td>
                  <td>
                    <RelativeTime at={token.expiresAt} lang={lang} />
                  </td>
                  <td>
                    <form method="post" action={`/settings/api-tokens/${token.id}/revoke`}>
                      <SessionGuardField />
                      <button type="submit" class="secondary">
                        {t('apiTokens.revoke')}
                      </button>
                    </form>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  )
}
