import type { Child } from 'hono/jsx'
import { jsxRenderer, useRequestContext } from 'hono/jsx-renderer'
import type { AppEnv } from '../env'

declare module 'hono' {
  interface ContextRenderer {
    (content: string | Promise<string>, props: { title: string }): Response | Promise<Response>
  }
}

/**
 * htmx 2 settings: swap 422 (form errors) and 429/4xx fragments so messages show up in
 * place; no inline indicator styles (the CSP forbids inline styles); no eval.
 */
const HTMX_CONFIG = JSON.stringify({
  includeIndicatorStyles: false,
  allowEval: false,
  allowScriptTags: false,
  responseHandling: [
    { code: '204', swap: false },
    { code: '[23]..', swap: true },
    { code: '422', swap: true, error: false },
    {
      code: '(400|403|404|429)',
      swap: true,
      error: false,
      target: '#messages-top',
      swapOverride: 'innerHTML',
    },
    { code: '[45]..', swap: false, error: true },
  ],
})

export function Layout(props: { title: string; children?: Child }) {
  const c = useRequestContext<AppEnv>()
  const { t, user, lang, flash } = c.var
  return (
    <html lang={lang}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <meta name="htmx-config" content={HTMX_CONFIG} />
        <title>{`${props.title} · ${t('app.name')}`}</title>
        <link rel="stylesheet" href="/css/app.css" />
        <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
        <script src="/js/htmx.min.js" defer></script>
        <script src="/js/app.js" defer></script>
      </head>
      <body>
        <a class="skip-link" href="#main">
          {t('nav.skip')}
        </a>
        <header class="site-header">
          <nav class="nav" aria-label={t('nav.label')}>
            <a class="brand" href="/">
              {t('app.name')}
            </a>
            <ul>
              {user ? (
                <>
                  <li>
                    <a href="/">{t('nav.home')}</a>
                  </li>
                  <li>
                    <a href="/explore">{t('nav.explore')}</a>
                  </li>
                  <li>
                    <a href={`/user/${user.username}`}>{t('nav.profile')}</a>
                  </li>
                  <li>
                    <form method="post" action="/auth/logout" class="inline-form">
                      <button type="submit" class="link-button">
                        {t('nav.logout')}
                      </button>
                    </form>
                  </li>
                </>
              ) : (
                <>
                  <li>
                    <a href="/explore">{t('nav.explore')}</a>
                  </li>
                  <li>
                    <a href="/auth/login">{t('nav.login')}</a>
                  </li>
                  <li>
                    <a href="/auth/register" class="button">
                      {t('nav.register')}
                    </a>
                  </li>
                </>
              )}
            </ul>
          </nav>
        </header>
        <div id="messages-top" class="container" aria-live="polite">
          {flash ? (
            <p class="flash" role="status">
              {t(flash)}
            </p>
          ) : null}
        </div>
        <main id="main" class="container">
          {props.children}
        </main>
        <footer class="site-footer container">
          <p>{t('footer.about')}</p>
        </footer>
      </body>
    </html>
  )
}

export const renderer = jsxRenderer(({ children, title }) => <Layout title={title}>{children}</Layout>, {
  docType: true,
})
