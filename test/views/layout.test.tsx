import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import type { User } from '../../src/db/schema'
import type { AppEnv } from '../../src/env'
import { UnreadBadge } from '../../src/features/messages/views'
import { NavSearch } from '../../src/features/search/views'
import { QUERY_MAX } from '../../src/features/search/schemas'
import { createTranslator, type Lang, type MessageKey } from '../../src/lib/i18n'
import { renderer, type LayoutSlots, type PageMeta } from '../../src/views/layout'
import { SessionGuardField } from '../../src/views/session-guard'
import { element, escaped, tag, tags, text } from './markup'

type Setup = { user: User | null; lang?: Lang; flash?: MessageKey | null; title?: string; meta?: PageMeta }

const SLOTS: LayoutSlots = { NavSearch, UnreadBadge }

/** A page rendered by the layout the way the app installs it, for a visitor or a member. */
async function page(path: string, setup: Setup, init: RequestInit = {}, env: Record<string, string> = {}) {
  const lang = setup.lang ?? 'en'
  const app = new Hono<AppEnv>()
  app.use(async (c, next) => {
    c.set('user', setup.user)
    c.set('lang', lang)
    c.set('t', createTranslator(lang))
    c.set('flash', setup.flash ?? null)
    await next()
  })
  app.use(renderer(SLOTS))
  // The content uses the request context (a form with the session guard field), as pages do.
  app.all('*', (c) =>
    c.render(
      <section>
        <h1>{setup.title ?? 'Title'}</h1>
        <form method="post" action="/x">
          <SessionGuardField />
        </form>
      </section>,
      { title: setup.title ?? 'Title', meta: setup.meta },
    ),
  )
  const response = await app.request(path, init, env)
  expect(response.status).toBe(200)
  expect(response.headers.get('content-type')).toBe('text/html; charset=UTF-8')
  return response.text()
}

function member(username: string, unread: number): User {
  return {
    id: 42,
    username,
    email: 'm@example.com',
    passwordHash: 'x',
    passwordRehashedAt: null,
    aboutMe: '',
    language: null,
    postCount: 0,
    followerCount: 0,
    followingCount: 0,
    unreadMessageCount: unread,
    lastSeenAt: 0,
    createdAt: 0,
    deletedAt: null,
  }
}

const NASTY = `<b>"q" & 'a'</b>`
const nav = (html: string) => element(html, 'nav', { class: 'nav' })
const current = (html: string) => tags(nav(html), 'a', { 'aria-current': 'page' }).map((a) => a.attrs.href)

describe('the page layout', () => {
  it('is a complete document in the reader’s language, its title escaped and followed by the site name', async () => {
    for (const lang of ['en', 'es'] as const) {
      const html = await page('/', { user: null, lang, title: NASTY })
      expect(html).toMatch(new RegExp(`^<!DOCTYPE html><html lang="${lang}">`))
      expect(html).toContain(`<title>${escaped(NASTY)} · Microblog</title>`)
      expect(html).not.toContain(NASTY)
      expect(html.endsWith('</body></html>')).toBe(true)
      expect(tag(html, 'meta', { name: 'viewport' }).attrs.content).toBe('width=device-width, initial-scale=1')
      // htmx swaps the form again on 422 and nothing on other errors; no eval.
      const config = JSON.parse(tag(html, 'meta', { name: 'htmx-config' }).attrs.content!)
      expect(config).toMatchObject({ allowEval: false, allowScriptTags: false, includeIndicatorStyles: false })
      expect(config.responseHandling).toContainEqual({ code: '422', swap: true, error: false })
    }
  })

  it('links the content-hashed stylesheets and deferred scripts; the live channel’s only for members', async () => {
    const visitor = await page('/', { user: null })
    const memberPage = await page('/', { user: member('ana', 0) })
    for (const html of [visitor, memberPage]) {
      expect(tags(html, 'link', { rel: 'stylesheet' }).map((l) => l.attrs.href)).toEqual([
        expect.stringMatching(/^\/assets\/css\/app\.[0-9a-f]{12}\.css$/),
        expect.stringMatching(/^\/assets\/css\/experience\.[0-9a-f]{12}\.css$/),
      ])
      for (const script of tags(html, 'script')) expect(script.attrs).toHaveProperty('defer', '')
      expect(tags(html, 'script', { src: true }).length).toBe(tags(html, 'script').length)
    }
    const live = (html: string) =>
      tags(html, 'script').filter((s) => /htmx-ext-ws|live|export-progress/.test(s.attrs.src!))
    expect(live(visitor)).toHaveLength(0)
    expect(live(memberPage)).toHaveLength(3)
    expect(tags(visitor, 'div', { id: 'live' })).toHaveLength(0)
    expect(tag(memberPage, 'div', { id: 'live' }).attrs).toEqual({
      id: 'live',
      'data-hx-ext': 'ws',
      'data-ws-connect': '/live',
      hidden: '',
    })
  })

  it('has a skip link to #main, the flash area htmx fills out of band, and the footer', async () => {
    const html = await page('/', { user: null, flash: 'follows.followed' })
    expect(tag(html, 'a', { class: 'skip-link' }).attrs.href).toBe('#main')
    expect(tags(html, 'main', { id: 'main' })).toHaveLength(1)
    const top = element(html, 'div', { id: 'messages-top' })
    expect(tag(top, 'div').attrs['aria-live']).toBe('polite')
    expect(top).toContain(`<p class="flash" role="status">${escaped(createTranslator('en')('follows.followed'))}</p>`)
    expect(element(await page('/', { user: null }), 'div', { id: 'messages-top' })).not.toContain('<p')
    expect(html.indexOf('id="messages-top"')).toBeLessThan(html.indexOf('<main'))
    expect(html.indexOf('</main>')).toBeLessThan(html.indexOf('<footer class="site-footer container">'))
  })

  it('tells htmx and the feedback script what they need on <body>: the member (X-As-User) and the messages', async () => {
    const visitor = tag(await page('/', { user: null }), 'body')
    expect(visitor.attrs).not.toHaveProperty('data-hx-headers')
    const body = tag(await page('/', { user: member('ana', 0), lang: 'es' }), 'body')
    expect(JSON.parse(body.attrs['data-hx-headers']!)).toEqual({ 'X-As-User': '42' })
    const t = createTranslator('es')
    expect(body.attrs['data-msg-network']).toBe(t('feedback.network'))
    for (const key of ['dismiss', 'network', 'timeout', 'failed', 'refused']) {
      expect(body.attrs[`data-msg-${key}`]).toBeTruthy()
    }
  })

  it('puts the session guard field in every member form (logout, language, the page’s own) and none for visitors', async () => {
    const html = await page('/', { user: member('ana', 0) })
    expect(tags(html, 'input', { name: 'as_user', value: '42', type: 'hidden' })).toHaveLength(3)
    expect(tags(await page('/', { user: null }), 'input', { name: 'as_user' })).toHaveLength(0)
  })

  it('gives visitors Explore, Log in and Sign up, and members Home, Explore, Messages, Profile and Log out', async () => {
    const visitor = nav(await page('/explore', { user: null }))
    expect(tag(visitor, 'nav').attrs['aria-label']).toBe('Main')
    expect(tags(visitor, 'li').length).toBe(3)
    expect(visitor).toContain('<a href="/explore" aria-current="page">Explore</a>')
    expect(visitor).toContain('<a href="/auth/login">Log in</a>')
    expect(tag(visitor, 'a', { href: '/auth/register' }).attrs.class).toBe('button')
    expect(visitor).not.toContain('/auth/logout')

    const ana = nav(await page('/explore', { user: member('ana', 0) }))
    expect(tags(ana, 'li').length).toBe(5)
    expect(ana).toContain('<a href="/">Home</a>')
    expect(ana).toContain('<a href="/user/ana">Profile</a>')
    expect(ana).not.toContain('/auth/login')
    const logout = element(ana, 'form', { action: '/auth/logout' })
    expect(tag(logout, 'form').attrs.method).toBe('post')
    expect(logout).toContain('<button type="submit" class="link-button">Log out</button>')
    // The brand goes home, its logo decorative (the name is there for screen readers).
    const brand = element(ana, 'a', { class: 'brand' })
    expect(tag(brand, 'a').attrs.href).toBe('/')
    expect(tag(brand, 'img').attrs.alt).toBe('')
    expect(text(brand)).toBe('Microblog')
  })

  it('marks exactly the link of the page being shown as the current page', async () => {
    const ana = member('ana', 0)
    expect(current(await page('/', { user: ana }))).toEqual(['/'])
    expect(current(await page('/explore?before=1-2', { user: ana }))).toEqual(['/explore'])
    expect(current(await page('/messages', { user: ana }))).toEqual(['/messages'])
    expect(current(await page('/messages/bob', { user: ana }))).toEqual(['/messages'])
    expect(current(await page('/user/ana', { user: ana }))).toEqual(['/user/ana'])
    expect(current(await page('/user/bob', { user: ana }))).toEqual([])
    expect(current(await page('/settings/profile', { user: ana }))).toEqual([])
    expect(current(await page('/auth/login', { user: null }))).toEqual(['/auth/login'])
    expect(current(await page('/auth/register', { user: null }))).toEqual(['/auth/register'])
    expect(current(await page('/', { user: null }))).toEqual([])
  })

  it('shows the unread count on Messages: hidden at zero, spelled out for screen readers', async () => {
    const none = element(nav(await page('/', { user: member('ana', 0) })), 'a', { href: '/messages' })
    expect(tag(none, 'span', { id: 'unread-badge' }).attrs).toMatchObject({ hidden: '', 'data-count': '0' })
    const three = element(nav(await page('/', { user: member('ana', 3), lang: 'es' })), 'a', { href: '/messages' })
    const badge = tag(three, 'span', { id: 'unread-badge' })
    expect(badge.attrs).not.toHaveProperty('hidden')
    expect(badge.attrs['data-count']).toBe('3')
    expect(text(three)).toContain('Mensajes')
    expect(three).toContain('<span aria-hidden="true">3</span><span class="sr-only">3 mensajes sin leer</span>')
  })

  it('has a search box that keeps the query of the search page only, marked invalid when too long', async () => {
    const input = (html: string) => tag(nav(html), 'input', { id: 'nav-search-q' }).attrs
    const box = element(nav(await page('/', { user: null })), 'form', { role: 'search' })
    expect(tag(box, 'form').attrs).toMatchObject({ method: 'get', action: '/search' })
    expect(tag(box, 'label').attrs.for).toBe('nav-search-q')
    expect(input(await page('/', { user: null }))).toMatchObject({ name: 'q', value: '', type: 'search' })
    expect(input(await page('/explore?q=zzz', { user: null })).value).toBe('')
    const searched = input(await page(`/search?q=${encodeURIComponent(NASTY)}`, { user: null }))
    expect(searched.value).toBe(NASTY)
    expect(searched).not.toHaveProperty('aria-invalid')
    // htmx: results into #main as the box is typed in, the URL pushed.
    expect(searched).toMatchObject({ 'data-hx-get': '/search', 'data-hx-target': '#main', 'data-hx-push-url': 'true' })
    const long = input(await page(`/search?q=${'x'.repeat(QUERY_MAX + 1)}`, { user: null }))
    expect(long).toMatchObject({ 'aria-invalid': 'true', 'aria-describedby': 'search-error' })
    expect(long.maxlength).toBe(String(QUERY_MAX))
    // On a phone the box gives way to a link to the search page.
    expect(tag(nav(await page('/', { user: null })), 'a', { href: '/search' }).attrs.class).toContain('nav-search-link')
  })

  it('escapes what comes from the URL and from members: the query, the username, the language switcher’s way back', async () => {
    const name = `a"<b>&'`
    const path = `/explore?x=${encodeURIComponent(NASTY)}&y="<i>'`
    const html = await page(path, { user: member(name, 1) })
    expect(html).not.toContain(NASTY)
    expect(html).not.toContain(`<b>`)
    expect(tag(html, 'a', { href: `/user/${name}` })).toBeTruthy()
    const back = tag(element(html, 'form', { action: '/language' }), 'input', { name: 'next' })
    const url = new URL(`http://localhost${path}`)
    expect(back.attrs.value).toBe(url.pathname + url.search)
    expect(html).toContain(`href="/user/a&quot;&lt;b&gt;&amp;&#39;"`)
  })

  it('has a language switcher that works without JavaScript and brings the reader back (to / after a POST)', async () => {
    const html = await page('/explore?before=abc', { user: null, lang: 'es' })
    const form = element(html, 'form', { action: '/language' })
    expect(tag(form, 'form').attrs.method).toBe('post')
    expect(tag(form, 'input', { name: 'next' }).attrs.value).toBe('/explore?before=abc')
    expect(form).toContain('<label for="language-select">Idioma</label>')
    expect(form).toContain('<option value="es" lang="es" selected="">Español</option>')
    expect(form).toContain('<option value="en" lang="en">English</option>')
    const posted = await page('/explore?before=abc', { user: null }, { method: 'POST' })
    expect(tag(element(posted, 'form', { action: '/language' }), 'input', { name: 'next' }).attrs.value).toBe('/')
  })

  it('writes Open Graph and description tags only when the page has them, with absolute URLs', async () => {
    expect(tags(await page('/', { user: null }), 'meta', { property: true })).toHaveLength(0)
    const meta: PageMeta = { description: NASTY, path: '/user/a%22b', image: '/avatar.png', type: 'profile' }
    const origin = await page('/user/a%22b', { user: null, title: NASTY, meta })
    const property = (html: string, name: string) => tag(html, 'meta', { property: name }).attrs.content
    expect(tag(origin, 'meta', { name: 'description' }).attrs.content).toBe(NASTY)
    expect(property(origin, 'og:title')).toBe(NASTY)
    expect(property(origin, 'og:type')).toBe('profile')
    expect(property(origin, 'og:site_name')).toBe('Microblog')
    expect(property(origin, 'og:url')).toBe('http://localhost/user/a%22b')
    expect(property(origin, 'og:image')).toBe('http://localhost/avatar.png')
    expect(tag(origin, 'link', { rel: 'canonical' }).attrs.href).toBe('http://localhost/user/a%22b')
    expect(tag(origin, 'meta', { name: 'twitter:card' }).attrs.content).toBe('summary')
    // BASE_URL wins over the request's origin; an absolute path stays as it is; no image, no og:image.
    const based = await page(
      '/x',
      { user: null, meta: { description: 'd', path: '/x' } },
      {},
      { BASE_URL: 'https://micro.example/' },
    )
    expect(property(based, 'og:url')).toBe('https://micro.example/x')
    expect(property(based, 'og:type')).toBe('website')
    expect(tags(based, 'meta', { property: 'og:image' })).toHaveLength(0)
    const absolute = await page('/x', {
      user: null,
      meta: { description: 'd', path: 'https://example.com/x?a=1&b="2"' },
    })
    expect(property(absolute, 'og:url')).toBe('https://example.com/x?a=1&b="2"')
  })
})
