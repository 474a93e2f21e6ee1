import { html } from 'hono/html'
import type { Child } from 'hono/jsx'
import { RequestContext, useRequestContext } from 'hono/jsx-renderer'
import { factory, type AppEnv } from '../env'
import { UnreadBadge } from '../features/messages/views'
import { baseUrl } from './email'
import { SessionGuardField } from './session-guard'
import { AS_USER_HEADER } from '../middleware/session-guard'
import { QUERY_MAX } from '../features/search/schemas'
import { SearchBox } from '../features/search/views'
import { LANGUAGE_NAMES, SUPPORTED_LANGUAGES, type Lang, type Translate } from '../lib/i18n'
import { asset } from './assets'

declare module 'hono' {
  interface ContextRenderer {
    (content: string | Promise<string>, props: { title: string; meta?: PageMeta }): Response | Promise<Response>
  }
}

/**
 * What a shared link previews as (Open Graph) and what search engines show
 * (`<meta name="description">`). `path` and `image` may be relative: they are made
 * absolute with `BASE_URL` (or the request's origin), as previews need.
 */
export type PageMeta = { description: string; path: string; image?: string; type?: 'website' | 'article' | 'profile' }

function MetaTags(props: { title: string; meta: PageMeta; origin: string; siteName: string }) {
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

/**
 * htmx 2 settings: swap 422 (the form again, with its messages). Every other 4xx/5xx is an
 * error that swaps nothing: `public/js/feedback.js` shows its one-line message next to the
 * control that sent it (so a Translate 429 deep in a timeline appears there, not at the top
 * of the page), as it does for network errors and timeouts (`timeout`, in ms). No inline
 * indicator styles (the CSP forbids inline styles); no eval.
 */
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

export function Layout(props: { title: string; meta?: PageMeta | undefined; children?: Child }) {
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
          <MetaTags title={props.title} meta={props.meta} origin={baseUrl(c.env, c.req.url)} siteName={t('app.name')} />
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
            <SearchBox t={t} q={q} invalid={[...q].length > QUERY_MAX} />
            <ul>
              {user ? (
                <>
                  <NavItem href="/" current={here === '/'} label={t('nav.home')} />
                  <NavItem href="/explore" current={here === '/explore'} label={t('nav.explore')} />
                  <li>
                    <a
                      href="/messages"
                      class="nav-messages"
                      aria-current={here === '/messages' || here.startsWith('/messages/') ? 'page' : undefined}
                    >
                      {t('nav.messages')} <UnreadBadge t={t} count={user.unreadMessageCount} />
                    </a>
                  </li>
                  <NavItem
                    href={`/user/${user.username}`}
                    current={here === `/user/${user.username}`}
                    label={t('nav.profile')}
                  />
                  <li class="nav-logout">
                    <form method="post" action="/auth/logout" class="inline-form">
                      <SessionGuardField />
                      <button type="submit" class="link-button">
                        {t('nav.logout')}
                      </button>
                    </form>
                  </li>
                </>
              ) : (
                <>
                  <NavItem href="/explore" current={here === '/explore'} label={t('nav.explore')} />
                  <NavItem href="/auth/login" current={here === '/auth/login'} label={t('nav.login')} />
                  <NavItem
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
          <LanguageSwitcher t={t} lang={lang} next={c.req.method === 'GET' ? currentPath(c.req.url) : '/'} />
        </footer>
      </body>
    </html>
  )
}

/**
 * One navigation link; the link of the page being shown is marked `aria-current="page"`
 * (and styled by it). Other areas add their links to the nav as more `<NavItem>`s or `<li>`s.
 */
function NavItem(props: { href: string; current: boolean; label: string; class?: string }) {
  const cls = props.class === undefined ? '' : html` class="${props.class}"`
  const current = props.current ? html` aria-current="page"` : ''
  return html`<li><a href="${props.href}"${cls}${current}>${props.label}</a></li>`
}

function currentPath(url: string): string {
  const { pathname, search } = new URL(url)
  return pathname + search
}

/**
 * The footer's language switcher: a plain POST form with a select and a button, so it
 * works without JavaScript; `next` brings the reader back to this page. Each option is
 * the language's own name, marked with its `lang` for screen readers.
 */
export function LanguageSwitcher(props: { t: Translate; lang: Lang; next: string }) {
  const { t } = props
  const options = SUPPORTED_LANGUAGES.map((code) => {
    const selected = code === props.lang ? html` selected=""` : ''
    return html`<option value="${code}" lang="${code}"${selected}>${LANGUAGE_NAMES[code]}</option>`
  })
  return html`<form method="post" action="/language" class="language-switcher"><input type="hidden" name="next" value="${props.next}"/>${SessionGuardField()}<label for="language-select">${t('language.label')}</label><select id="language-select" name="lang">${options}</select><button type="submit" class="secondary">${t('language.submit')}</button></form>`
}

const utf8 = new TextEncoder()

/**
 * `c.render(page, { title, meta })`: the page in the layout, as hono's `jsxRenderer` does it,
 * but sent as UTF-8 bytes encoded here. A page holding any character past U+00FF (the
 * footer's "—", an emoji in a post) is a two-byte string, which the Response constructor
 * turns into UTF-8 about twice as slowly as TextEncoder does (~0.07 ms of a 25 kB page).
 */
export const renderer = factory.createMiddleware(async (c, next) => {
  c.setRenderer(async (content, props) => {
    const page = (
      <RequestContext.Provider value={c}>
        <Layout title={props.title} meta={props.meta}>
          {content}
        </Layout>
      </RequestContext.Provider>
    )
    const html = '<!DOCTYPE html>' + (await page.toString())
    const bytes = utf8.encode(html) as Uint8Array<ArrayBuffer>
    return c.body(bytes, undefined, { 'Content-Type': 'text/html; charset=UTF-8' })
  })
  await next()
})
