import type { Context } from 'hono'
import { html, raw } from 'hono/html'
import { jsx } from 'hono/jsx'
import { RequestContext } from 'hono/jsx-renderer'
import { factory, type AppEnv } from '../env'
import { UnreadBadge } from '../features/messages/views'
import { baseUrl } from './email'
import { guardField } from './session-guard'
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

function metaTags(props: { title: string; meta: PageMeta; origin: string; siteName: string }) {
  const { meta, origin } = props
  const absolute = (url: string) => (url.startsWith('/') ? origin + url : url)
  const url = absolute(meta.path)
  const image = meta.image ? html`<meta property="og:image" content="${absolute(meta.image)}"/>` : null
  return html`<meta name="description" content="${meta.description}"/><meta property="og:site_name" content="${props.siteName}"/><meta property="og:type" content="${meta.type ?? 'website'}"/><meta property="og:title" content="${props.title}"/><meta property="og:description" content="${meta.description}"/><meta property="og:url" content="${url}"/>${image}<meta name="twitter:card" content="summary"/><link rel="canonical" href="${url}"/>`
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

/**
 * The page around `main` (the page's own content, already rendered). An `html` template
 * like the rest of the page (the same bytes as the JSX Layout it replaced,
 * test/views/layout.test.tsx); it reads the request from `c` instead of a JSX context.
 */
export function layoutPage(c: Context<AppEnv>, props: { title: string; meta?: PageMeta | undefined }, main: unknown) {
  // c.get: hono's c.var copies every variable into a new object on each access.
  const t = c.get('t')
  const user = c.get('user')
  const lang = c.get('lang')
  const flash = c.get('flash')
  // The path of this page, for marking the current navigation link.
  const here = c.req.path
  // The nav's search box shows the query of the search page it is on (kept even when too long).
  const q = here === '/search' ? (c.req.query('q') ?? '') : ''
  const meta = props.meta
    ? metaTags({ title: props.title, meta: props.meta, origin: baseUrl(c.env, c.req.url), siteName: t('app.name') })
    : null
  const head = html`<head>${HEAD_START}<title>${props.title} · ${t('app.name')}</title>${meta}${user ? HEAD_ASSETS_MEMBER : HEAD_ASSETS}</head>`
  const hxHeaders = user ? html` data-hx-headers="${JSON.stringify({ [AS_USER_HEADER]: String(user.id) })}"` : ''
  const body = html`<body${hxHeaders} data-msg-dismiss="${t('feedback.dismiss')}" data-msg-network="${t('feedback.network')}" data-msg-timeout="${t('feedback.timeout')}" data-msg-failed="${t('feedback.failed')}" data-msg-refused="${t('feedback.refused')}">`
  let links
  if (user) {
    const messagesCurrent = here === '/messages' || here.startsWith('/messages/') ? html` aria-current="page"` : ''
    const profile = `/user/${user.username}`
    links = html`${NavItem({ href: '/', current: here === '/', label: t('nav.home') })}${NavItem({ href: '/explore', current: here === '/explore', label: t('nav.explore') })}<li><a href="/messages" class="nav-messages"${messagesCurrent}>${t('nav.messages')} ${UnreadBadge({ t, count: user.unreadMessageCount })}</a></li>${NavItem({ href: profile, current: here === profile, label: t('nav.profile') })}<li class="nav-logout"><form method="post" action="/auth/logout" class="inline-form">${guardField(user.id)}<button type="submit" class="link-button">${t('nav.logout')}</button></form></li>`
  } else {
    links = html`${NavItem({ href: '/explore', current: here === '/explore', label: t('nav.explore') })}${NavItem({ href: '/auth/login', current: here === '/auth/login', label: t('nav.login') })}${NavItem({ href: '/auth/register', current: here === '/auth/register', label: t('nav.register'), class: 'button' })}`
  }
  const nav = html`<header class="site-header"><nav class="nav" aria-label="${t('nav.label')}"><a class="brand" href="/"><img class="brand-logo" src="/favicon.svg" alt="" width="24" height="24"/><span class="brand-name">${t('app.name')}</span></a>${SearchBox({ t, q, invalid: [...q].length > QUERY_MAX })}<ul>${links}</ul></nav></header>`
  const flashText = flash ? html`<p class="flash" role="status">${t(flash)}</p>` : null
  // Members' live channel (features/live): htmx-ext-ws connects it, live.js adds visibility
  // handling. Without JavaScript it is an empty element.
  const live = user ? LIVE : null
  const next = c.req.method === 'GET' ? currentPath(c.req.url) : '/'
  const footer = html`<footer class="site-footer container"><p>${t('footer.about')}</p>${LanguageSwitcher({ t, lang, next, userId: user?.id })}</footer>`
  return html`<html lang="${lang}">${head}${body}<a class="skip-link" href="#main">${t('nav.skip')}</a>${nav}<div id="messages-top" class="container" aria-live="polite">${flashText}</div>${live}<main id="main" class="container">${main}</main>${footer}</body></html>`
}

const LIVE = html`<div id="live" data-hx-ext="ws" data-ws-connect="/live" hidden=""></div>`

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
export function LanguageSwitcher(props: { t: Translate; lang: Lang; next: string; userId: number | undefined }) {
  const { t } = props
  const options = SUPPORTED_LANGUAGES.map((code) => {
    const selected = code === props.lang ? html` selected=""` : ''
    return html`<option value="${code}" lang="${code}"${selected}>${LANGUAGE_NAMES[code]}</option>`
  })
  return html`<form method="post" action="/language" class="language-switcher"><input type="hidden" name="next" value="${props.next}"/>${guardField(props.userId)}<label for="language-select">${t('language.label')}</label><select id="language-select" name="lang">${options}</select><button type="submit" class="secondary">${t('language.submit')}</button></form>`
}

const utf8 = new TextEncoder()

/**
 * `c.render(page, { title, meta })`: the page in the layout, sent as UTF-8 bytes encoded
 * here. A page holding any character past U+00FF (the footer's "—", an emoji in a post) is
 * a two-byte string, which the Response constructor turns into UTF-8 about twice as slowly
 * as TextEncoder does (~0.07 ms of a 25 kB page). The page's content is rendered inside
 * hono's `RequestContext` (as `jsxRenderer` does), where `SessionGuardField` finds the
 * member; the layout around it is a template that is given `c`.
 */
export const renderer = factory.createMiddleware(async (c, next) => {
  c.setRenderer(async (content, props) => {
    const main = await jsx(RequestContext.Provider, { value: c }, content).toString()
    const page = '<!DOCTYPE html>' + String(await layoutPage(c, props, raw(main)))
    const bytes = utf8.encode(page) as Uint8Array<ArrayBuffer>
    return c.body(bytes, undefined, { 'Content-Type': 'text/html; charset=UTF-8' })
  })
  await next()
})
