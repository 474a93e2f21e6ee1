import { Hono } from 'hono'
import type { ApiEnv } from './middleware'
import { apiTranslator } from './errors'

/**
 * GET /api/docs: the reference page. Swagger UI is served from our own assets
 * (public/vendor/swagger-ui, copied from the pinned swagger-ui-dist package by
 * scripts/copy-assets.mjs) and started by public/js/api-docs.js: no CDN, no inline script
 * or style, so the site's CSP holds. It reads /api/openapi.json.
 */
export const docsRoutes = new Hono<ApiEnv>()

docsRoutes.get('/docs', (c) => {
  const t = apiTranslator(c)
  c.header('Cache-Control', 'no-cache')
  return c.html(
    '<!doctype html>' +
      (
        <html lang="en">
          <head>
            <meta charset="utf-8" />
            <meta name="viewport" content="width=device-width, initial-scale=1" />
            <title>{t('api.docs.title')}</title>
            <link rel="stylesheet" href="/vendor/swagger-ui/swagger-ui.css" />
            <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
            <script src="/vendor/swagger-ui/swagger-ui-bundle.js" defer></script>
            <script src="/js/api-docs.js" defer></script>
          </head>
          <body>
            <main id="api-docs" data-spec-url="/api/openapi.json">
              <noscript>
                <p>
                  {t('api.docs.noscript')} <a href="/api/openapi.json">{t('api.docs.documentLink')}</a>
                </p>
              </noscript>
            </main>
          </body>
        </html>
      ).toString(),
  )
})
