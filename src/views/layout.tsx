import type { Context } from 'hono'
import type { Child } from 'hono/jsx'
import { raw } from 'hono/html'
import { RequestContext } from 'hono/jsx-renderer'
import { factory, type AppEnv } from '../env'
import { LANGUAGE_NAMES, SUPPORTED_LANGUAGES, type Lang, type Translate } from '../lib/i18n'
import { AS_USER_HEADER } from '../middleware/session-guard'
import { asset } from './assets'
import { baseUrl } from './email'
import { SessionGuardField } from './session-guard'

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

/**
 * What the areas of the product put into the page shell. The layout imports no feature:
 * the app hands it these components when it installs the renderer (src/app.tsx).
 */
export type LayoutSlots = {
  /** The navigation's search, for the page at `path` (with its `?q=`). */
  NavSearch: (props: { t: Translate; path: string; query: string | undefined }) => Child
  /** The member's unread-messages badge, on the navigation's Messages link. */
  UnreadBadge: (props: { t: Translate; count: number }) => Child
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

function MetaTags(props: { title: string; meta: PageMeta; origin: string; siteName: string }) {
  const { meta, origin } = props
  const absolute = (url: string) => (url.startsWith('/') ? origin + url : url)
  const url = absolute(meta.path)
  return (
    <>
      <meta name="description" content={meta.description} />
      <meta property="og:site_name" content={props.siteName} />
      <meta property="og:type" content={meta.type ?? 'website'} />
      <meta property="og:title" content={props.title} />
      <meta property="og:description" content={meta.description} />
      <meta property="og:url" content={url} />
      {meta.image ? <meta property="og:image" content={absolute(meta.image)} /> : null}
      <meta name="twitter:card" content="summary" />
      <link rel="canonical" href={url} />
    </>
  )
}

/**
 * What starts every page's `<head>`: the character set first, the viewport, htmx's
 * settings, then our own stylesheets and scripts (content-hashed names, scripts deferred).
 */
function HeadStart(props: { member: boolean }) {
  return (
    <>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <meta name="color-scheme" content="light dark" />
      <meta name="htmx-config" content={HTMX_CONFIG} />
      <link rel="stylesheet" href={asset('/css/app.css')} />
      <link rel="stylesheet" href={asset('/css/experience.css')} />
      <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
      <script src={asset('/js/htmx.min.js')} defer></script>
      <script src={asset('/js/app.js')} defer></script>
      <script src={asset('/js/feedback.js')} defer></script>
      <script src={asset('/js/composer.js')} defer></script>
      {/* Members' live channel (features/live) and the export progress it carries (features/data). */}
      {props.member ? (
        <>
          <script src={asset('/js/htmx-ext-ws.js')} defer></script>
          <script src={asset('/js/live.js')} defer></script>
          <script src={asset('/js/export-progress.js')} defer></script>
        </>
      ) : null}
      <script src={asset('/js/search.js')} defer></script>
      <script src={asset('/js/popups.js')} defer></script>
    </>
  )
}

/**
 * The start of `<head>` is the same on every page, so it is rendered once per isolate (a
 * visitor's and a member's): hono/jsx renders `meta`, `link` and `script` as components (for
 * React-style hoisting), which cost ~20 µs a page (`npm run bench -- --profile`). `raw` only
 * marks the string hono/jsx itself rendered as already escaped.
 */
const HEAD_START = {
  visitor: raw(String(<HeadStart member={false} />)),
  member: raw(String(<HeadStart member />)),
}

/**
 * One navigation link; the link of the page being shown is marked `aria-current="page"`
 * (and styled by it). Its `li` names the icon the stylesheet draws on a phone.
 */
function NavItem(props: { href: string; here: string; label: string; icon: string; class?: string }) {
  return (
    <li class={`icon-${props.icon}`}>
      <a href={props.href} class={props.class} aria-current={props.href === props.here ? 'page' : undefined}>
        {props.label}
      </a>
    </li>
  )
}

/**
 * The site's navigation: the places a member goes (with the unread badge on Messages) or,
 * for a visitor, Explore and the ways in. On a phone (public/css/experience.css) every item
 * becomes an icon over a short label — icons alone on the narrowest screens — so the whole
 * row fits from 320 px up, without JavaScript.
 */
function SiteNav(props: { c: Context<AppEnv>; slots: LayoutSlots }) {
  const { c, slots } = props
  const t = c.get('t')
  const user = c.get('user')
  const here = c.req.path
  return (
    <header class="site-header">
      <nav class="nav" aria-label={t('nav.label')}>
        <a class="brand" href="/">
          <img class="brand-logo" src="/favicon.svg" alt="" width="24" height="24" />
          <span class="brand-name">{t('app.name')}</span>
        </a>
        <slots.NavSearch t={t} path={here} query={here === '/search' ? c.req.query('q') : undefined} />
        {user ? (
          <ul>
            <NavItem icon="home" href="/" here={here} label={t('nav.home')} />
            <NavItem icon="explore" href="/explore" here={here} label={t('nav.explore')} />
            <li class="icon-messages">
              <a
                href="/messages"
                class="nav-messages"
                aria-current={here === '/messages' || here.startsWith('/messages/') ? 'page' : undefined}
              >
                {t('nav.messages')} <slots.UnreadBadge t={t} count={user.unreadMessageCount} />
              </a>
            </li>
            <NavItem icon="profile" href={`/user/${user.username}`} here={here} label={t('nav.profile')} />
            <li class="nav-logout icon-logout">
              <form method="post" action="/auth/logout" class="inline-form">
                <SessionGuardField />
                <button type="submit" class="link-button">
                  {t('nav.logout')}
                </button>
              </form>
            </li>
          </ul>
        ) : (
          <ul>
            <NavItem icon="explore" href="/explore" here={here} label={t('nav.explore')} />
            <NavItem icon="login" href="/auth/login" here={here} label={t('nav.login')} />
            <NavItem icon="register" href="/auth/register" here={here} label={t('nav.register')} class="button" />
          </ul>
        )}
      </nav>
    </header>
  )
}

/**
 * The footer's language switcher: a plain POST form with a select and a button, so it
 * works without JavaScript; `next` brings the reader back to this page. Each option is
 * the language's own name, marked with its `lang` for screen readers.
 */
export function LanguageSwitcher(props: { t: Translate; lang: Lang; next: string }) {
  const { t } = props
  return (
    <form method="post" action="/language" class="language-switcher">
      <input type="hidden" name="next" value={props.next} />
      <SessionGuardField />
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

/**
 * The page around its content: head, navigation, the flash and live areas (`#messages-top`
 * takes htmx's out-of-band notices, `#live` is the members' WebSocket), `#main` (the skip
 * link's target and where the search swaps its results) and the footer.
 */
function Layout(props: {
  c: Context<AppEnv>
  slots: LayoutSlots
  title: string
  meta?: PageMeta | undefined
  children?: Child
}) {
  const { c } = props
  // c.get: hono's c.var copies every variable into a new object on each access.
  const t = c.get('t')
  const user = c.get('user')
  const lang = c.get('lang')
  const flash = c.get('flash')
  return (
    <html lang={lang}>
      <head>
        {user ? HEAD_START.member : HEAD_START.visitor}
        <title>
          {props.title} · {t('app.name')}
        </title>
        {props.meta ? (
          <MetaTags title={props.title} meta={props.meta} origin={baseUrl(c.env, c.req.url)} siteName={t('app.name')} />
        ) : null}
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
        <SiteNav c={c} slots={props.slots} />
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

const utf8 = new TextEncoder()

/**
 * `renderer(slots)`: the middleware behind `c.render(page, { title, meta })`. It renders the
 * page in the layout inside hono's `RequestContext` (as `jsxRenderer` does), where
 * `SessionGuardField` finds the member, and sends it as UTF-8 bytes encoded here: a page
 * holding any character past U+00FF (the footer's "—", an emoji in a post) is a two-byte
 * string, which the Response constructor turns into UTF-8 about twice as slowly as
 * TextEncoder does (~0.07 ms of a 25 kB page).
 */
export function renderer(slots: LayoutSlots) {
  return factory.createMiddleware(async (c, next) => {
    c.setRenderer(async (content, props) => {
      const page = (
        <RequestContext.Provider value={c}>
          <Layout c={c} slots={slots} title={props.title} meta={props.meta}>
            {content}
          </Layout>
        </RequestContext.Provider>
      )
      const bytes = utf8.encode('<!DOCTYPE html>' + (await page.toString())) as Uint8Array<ArrayBuffer>
      return c.body(bytes, undefined, { 'Content-Type': 'text/html; charset=UTF-8' })
    })
    await next()
  })
}
