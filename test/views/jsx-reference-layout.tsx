// The JSX Layout (and its nav parts) the layout's `html` template replaced (issue 14), kept
// verbatim as the reference test/views/layout.test.tsx compares the template with.
import { html } from 'hono/html'
import type { Child } from 'hono/jsx'
import { useRequestContext } from 'hono/jsx-renderer'
import type { AppEnv } from '../../src/env'
import { UnreadBadge } from '../../src/features/messages/views'
import { QUERY_MAX } from '../../src/features/search/schemas'
import { LANGUAGE_NAMES, SUPPORTED_LANGUAGES, type Lang, type Translate } from '../../src/lib/i18n'
import { AS_USER_HEADER } from '../../src/middleware/session-guard'
import { asset } from '../../src/views/assets'
import { baseUrl } from '../../src/views/email'
import type { PageMeta } from '../../src/views/layout'
import { SessionGuardFieldJsx } from './jsx-reference'

function NavItemJsx(props: { href: string; current: boolean; label: string; class?: string }) {
  return (
    <li>
      <a href={props.href} class={props.class} aria-current={props.current ? 'page' : undefined}>
        {props.label}
      </a>
    </li>
  )
}

function LanguageSwitcherJsx(props: { t: Translate; lang: Lang; next: string }) {
  const { t } = props
  return (
    <form method="post" action="/language" class="language-switcher">
      <input type="hidden" name="next" value={props.next} />
      <SessionGuardFieldJsx />
      <label for="language-select">{t('language.label')}</label>
      <select id="language-select" name="lang">
        {SUPPORTED_LANGUAGES.map((code) => (
          <option value={code} lang={code} selected={code === props.lang}>
            {LANGUAGE_NAMES[code]}
          </option>
        ))}
      </select>
      <button type="submit" class="secondary">
        {t('language.submit')}
      </button>
    </form>
  )
}

function currentPath(url: string): string {
  const { pathname, search } = new URL(url)
  return pathname + search
}

const HTMX_CONFIG = JSON.stringify({
  includeIndicatorStyles: false,
  // Live channel (htmx-ext-ws): reconnect after 0–1 s, 0–2 s, … up to 0–64 s (full jitter),
  // so a server restart does not bring every tab back at the same instant.
  wsReconnectDelay: 'full-jitter',
  allowEval: false,
  allowScriptTags: false,
  timeout: 15000,
  responseHandling: [
    { code: '204', swap: false },
    { code: '[23]..', swap: true },
    { code: '422', swap: true, error: false },
    { code: '[45]..', swap: false, error: true },
  ],
})

/**
 * The parts of `<head>` that are the same on every page, built once per isolate: as JSX,
 * hono's `meta`/`link`/`script`/`title` elements are components (React-style hoisting and
 * de-duplication) that cost more per page than the rest of the layout together
 * (`npm run bench -- --profile`). Same markup as the JSX they replace.
 */
const HEAD_START = html`<meta charset="utf-8"/><meta name="viewport" content="width=device-width, initial-scale=1"/><meta name="color-scheme" content="light dark"/><meta name="htmx-config" content="${HTMX_CONFIG}"/>`
const STYLES = html`<link rel="stylesheet" href="${asset('/css/app.css')}"/><link rel="stylesheet" href="${asset('/css/experience.css')}"/><link rel="icon" href="/favicon.svg" type="image/svg+xml"/>`
const SCRIPTS = html`<script src="${asset('/js/htmx.min.js')}" defer=""></script><script src="${asset('/js/app.js')}" defer=""></script><script src="${asset('/js/feedback.js')}" defer=""></script><script src="${asset('/js/composer.js')}" defer=""></script>`
/** Members' live channel (features/live) and the export progress it carries (features/data). */
const MEMBER_SCRIPTS = html`<script src="${asset('/js/htmx-ext-ws.js')}" defer=""></script><script src="${asset('/js/live.js')}" defer=""></script><script src="${asset('/js/export-progress.js')}" defer=""></script>`
const LAST_SCRIPTS = html`<script src="${asset('/js/search.js')}" defer=""></script><script src="${asset('/js/popups.js')}" defer=""></script>`
const HEAD_ASSETS = html`${STYLES}${SCRIPTS}${LAST_SCRIPTS}`
const HEAD_ASSETS_MEMBER = html`${STYLES}${SCRIPTS}${MEMBER_SCRIPTS}${LAST_SCRIPTS}`

// src/features/search/views.tsx
export function SearchBoxJsx(props: { t: Translate; q: string; invalid: boolean }) {
  const { t } = props
  return (
    <form class="nav-search" role="search" method="get" action="/search">
      <label for="nav-search-q" class="sr-only">
        {t('search.label')}
      </label>
      <input
        id="nav-search-q"
        type="search"
        name="q"
        value={props.q}
        maxlength={QUERY_MAX}
        placeholder={t('search.placeholder')}
        autocomplete="off"
        aria-invalid={props.invalid ? 'true' : undefined}
        aria-describedby={props.invalid ? 'search-error' : undefined}
        data-hx-get="/search"
        data-hx-trigger="input changed delay:300ms, search"
        data-hx-target="#main"
        data-hx-swap="innerHTML"
        data-hx-push-url="true"
        data-hx-sync="this:replace"
      />
      <button type="submit" class="secondary">
        {t('search.submit')}
      </button>
    </form>
  )
}

// src/views/layout.tsx
function MetaTagsJsx(props: { title: string; meta: PageMeta; origin: string; siteName: string }) {
  const { meta, origin } = props
  const absolute = (url: string) => (url.startsWith('/') ? origin + url : url)
  return (
    <>
      <meta name="description" content={meta.description} />
      <meta property="og:site_name" content={props.siteName} />
      <meta property="og:type" content={meta.type ?? 'website'} />
      <meta property="og:title" content={props.title} />
      <meta property="og:description" content={meta.description} />
      <meta property="og:url" content={absolute(meta.path)} />
      {meta.image ? <meta property="og:image" content={absolute(meta.image)} /> : null}
      <meta name="twitter:card" content="summary" />
      <link rel="canonical" href={absolute(meta.path)} />
    </>
  )
}

// src/views/layout.tsx
export function LayoutJsx(props: { title: string; meta?: PageMeta | undefined; children?: Child }) {
  const c = useRequestContext<AppEnv>()
  const { t, user, lang, flash } = c.var
  // The path of this page, for marking the current navigation link.
  const here = c.req.path
  // The nav's search box shows the query of the search page it is on (kept even when too long).
  const q = c.req.path === '/search' ? (c.req.query('q') ?? '') : ''
  return (
    <html lang={lang}>
      <head>
        {HEAD_START}
        {html`<title>${props.title} · ${t('app.name')}</title>`}
        {props.meta ? (
          <MetaTagsJsx
            title={props.title}
            meta={props.meta}
            origin={baseUrl(c.env, c.req.url)}
            siteName={t('app.name')}
          />
        ) : null}
        {user ? HEAD_ASSETS_MEMBER : HEAD_ASSETS}
      </head>
      <body
        data-hx-headers={user ? JSON.stringify({ [AS_USER_HEADER]: String(user.id) }) : undefined}
        data-msg-dismiss={t('feedback.dismiss')}
        data-msg-network={t('feedback.network')}
        data-msg-timeout={t('feedback.timeout')}
        data-msg-failed={t('feedback.failed')}
        data-msg-refused={t('feedback.refused')}
      >
        <a class="skip-link" href="#main">
          {t('nav.skip')}
        </a>
        <header class="site-header">
          <nav class="nav" aria-label={t('nav.label')}>
            <a class="brand" href="/">
              <img class="brand-logo" src="/favicon.svg" alt="" width="24" height="24" />
              <span class="brand-name">{t('app.name')}</span>
            </a>
            <SearchBoxJsx t={t} q={q} invalid={[...q].length > QUERY_MAX} />
            <ul>
              {user ? (
                <>
                  <NavItemJsx href="/" current={here === '/'} label={t('nav.home')} />
                  <NavItemJsx href="/explore" current={here === '/explore'} label={t('nav.explore')} />
                  <li>
                    <a
                      href="/messages"
                      class="nav-messages"
                      aria-current={here === '/messages' || here.startsWith('/messages/') ? 'page' : undefined}
                    >
                      {t('nav.messages')} <UnreadBadge t={t} count={user.unreadMessageCount} />
                    </a>
                  </li>
                  <NavItemJsx
                    href={`/user/${user.username}`}
                    current={here === `/user/${user.username}`}
                    label={t('nav.profile')}
                  />
                  <li class="nav-logout">
                    <form method="post" action="/auth/logout" class="inline-form">
                      <SessionGuardFieldJsx />
                      <button type="submit" class="link-button">
                        {t('nav.logout')}
                      </button>
                    </form>
                  </li>
                </>
              ) : (
                <>
                  <NavItemJsx href="/explore" current={here === '/explore'} label={t('nav.explore')} />
                  <NavItemJsx href="/auth/login" current={here === '/auth/login'} label={t('nav.login')} />
                  <NavItemJsx
                    href="/auth/register"
                    current={here === '/auth/register'}
                    label={t('nav.register')}
                    class="button"
                  />
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
        {/* Members' live channel (features/live): htmx-ext-ws connects it, live.js adds
            visibility handling. Without JavaScript it is an empty element. */}
        {user ? <div id="live" data-hx-ext="ws" data-ws-connect="/live" hidden></div> : null}
        <main id="main" class="container">
          {props.children}
        </main>
        <footer class="site-footer container">
          <p>{t('footer.about')}</p>
          <LanguageSwitcherJsx t={t} lang={lang} next={c.req.method === 'GET' ? currentPath(c.req.url) : '/'} />
        </footer>
      </body>
    </html>
  )
}
