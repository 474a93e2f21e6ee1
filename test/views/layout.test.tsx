import { Hono } from 'hono'
import { RequestContext } from 'hono/jsx-renderer'
import { describe, expect, it } from 'vitest'
import type { User } from '../../src/db/schema'
import { factory, type AppEnv } from '../../src/env'
import { createTranslator, type Lang, type MessageKey } from '../../src/lib/i18n'
import { renderer, type PageMeta } from '../../src/views/layout'
import { SessionGuardField } from '../../src/views/session-guard'
import { LayoutJsx } from './jsx-reference-layout'

// The layout is an `html` template given `c` (issue 14); the page must be the bytes the JSX
// Layout (./jsx-reference-layout.tsx) wrote, for visitors and members, in both languages, on
// every nav position, with and without a flash, Open Graph tags and odd URLs.

/** The renderer as it was: hono's jsxRenderer logic around the JSX Layout. */
const jsxRenderer = factory.createMiddleware(async (c, next) => {
  c.setRenderer(async (content, props) => {
    const page = (
      <RequestContext.Provider value={c}>
        <LayoutJsx title={props.title} meta={props.meta}>
          {content}
        </LayoutJsx>
      </RequestContext.Provider>
    )
    return c.html('<!DOCTYPE html>' + (await page.toString()))
  })
  await next()
})

type Setup = { user: User | null; lang: Lang; flash: MessageKey | null; title: string; meta?: PageMeta }

function app(render: typeof renderer, setup: Setup) {
  const a = new Hono<AppEnv>()
  a.use(async (c, next) => {
    c.set('user', setup.user)
    c.set('lang', setup.lang)
    c.set('t', createTranslator(setup.lang))
    c.set('flash', setup.flash)
    await next()
  })
  a.use(render)
  // The page content uses the request context (the session guard field), as pages do.
  a.all('*', (c) =>
    c.render(
      <section>
        <h1>{setup.title}</h1>
        <form method="post" action="/x">
          <SessionGuardField />
        </form>
      </section>,
      { title: setup.title, meta: setup.meta },
    ),
  )
  return a
}

function member(username: string, unread: number): User {
  return {
    id: 42,
    username,
    email: 'm@example.com',
    passwordHash: 'x',
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
const PATHS = [
  '/',
  '/explore',
  '/explore?before=1-2&x=%22%3C',
  '/messages',
  '/messages/ana',
  '/user/ana',
  `/user/${encodeURIComponent(`a"<b>&'`)}`,
  '/auth/login?next=%2Fa%3Fb%3D%22',
  '/auth/register',
  `/search?q=${encodeURIComponent(NASTY)}`,
  `/search?q=${'x'.repeat(250)}`,
  '/settings/profile',
]

describe('layout (html template)', () => {
  it('writes the same page as the JSX Layout: visitors and members, en/es, every nav link, flash, Open Graph', async () => {
    const metas: (PageMeta | undefined)[] = [
      undefined,
      { description: NASTY, path: '/user/a%22b', image: '/avatar.png', type: 'profile' },
      { description: 'd', path: 'https://example.com/x?a=1&b="2"' },
    ]
    const users = [null, member('ana', 0), member(`a"<b>&'`, 3)]
    let compared = 0
    for (const lang of ['en', 'es'] as const) {
      for (const user of users) {
        for (const [i, meta] of metas.entries()) {
          const setup: Setup = { user, lang, flash: i === 1 ? 'follows.followed' : null, title: NASTY, meta }
          const ours = app(renderer, setup)
          const theirs = app(jsxRenderer, setup)
          for (const path of PATHS) {
            for (const method of ['GET', 'POST']) {
              for (const env of [{}, { BASE_URL: 'https://micro.example/' }]) {
                const a = await ours.request(path, { method }, env)
                const b = await theirs.request(path, { method }, env)
                expect(a.status).toBe(200)
                expect(a.headers.get('content-type')).toBe(b.headers.get('content-type'))
                const html = await a.text()
                expect(html).toBe(await b.text())
                if (user) expect(html.match(/name="as_user" value="42"/g)?.length).toBe(3)
                compared++
              }
            }
          }
        }
      }
    }
    expect(compared).toBe(2 * 3 * 3 * PATHS.length * 2 * 2)
  })
})
