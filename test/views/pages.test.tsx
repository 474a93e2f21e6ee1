import type { Context } from 'hono'
import type { Child } from 'hono/jsx'
import { RequestContext } from 'hono/jsx-renderer'
import { describe, expect, it } from 'vitest'
import type { User } from '../../src/db/schema'
import { LoginPage } from '../../src/features/auth/views'
import { FollowButton, WhoToFollow, WhoToFollowSlot } from '../../src/features/follows/views'
import { LiveFallbackLink, NewPostsBar } from '../../src/features/live/views'
import { ExplorePage, HomePage, PostCreated, PostForm } from '../../src/features/posts/views'
import { SearchBox } from '../../src/features/search/views'
import { ProfileHeader, ProfilePage, ProfileStats } from '../../src/features/users/views'
import { createTranslator, type Lang } from '../../src/lib/i18n'
import { Field, MoreLink, NewerLink, PostList, PostPage, type PostView } from '../../src/views/components'
import {
  ExplorePageJsx,
  FieldJsx,
  FollowButtonJsx,
  HomePageJsx,
  LiveFallbackLinkJsx,
  LoginPageJsx,
  MoreLinkJsx,
  NewerLinkJsx,
  NewPostsBarJsx,
  PostCreatedJsx,
  PostFormJsx,
  PostListJsx,
  PostPageJsx,
  ProfileHeaderJsx,
  ProfilePageJsx,
  ProfileStatsJsx,
  WhoToFollowJsx,
  WhoToFollowSlotJsx,
} from './jsx-reference'
import { SearchBoxJsx } from './jsx-reference-layout'

// The page bodies of home, explore, profile and login are `html` templates (issue 14); each
// must write exactly the bytes of the JSX it replaced (./jsx-reference.tsx), for visitors and
// members, in both languages, with user text holding `<"'&` in text and attributes.

const NASTY = `<b>"q" & 'a'</b>`
const LANGS = ['en', 'es'] as const

/** Renders in a page's request context (the member `userId`, or a visitor), as c.render does. */
function render(node: Child, userId: number | undefined): string {
  const c = {
    get: (key: string) => (key === 'user' && userId !== undefined ? { id: userId } : null),
  } as unknown as Context
  const out = String(<RequestContext.Provider value={c}>{node}</RequestContext.Provider>)
  // The post form's one-time key is random on every render.
  return out.replace(/name="form_key" value="[0-9a-f-]{36}"/g, 'name="form_key" value="KEY"')
}

/** Renders both in the same context and expects the same bytes; returns the template's. */
function same(ours: Child, theirs: Child, userId?: number): string {
  const a = render(ours, userId)
  expect(a).toBe(render(theirs, userId))
  return a
}

function post(id: number, authorId: number, extra: Partial<PostView> = {}): PostView {
  return {
    id,
    body: `Post ${id} https://example.com/?a=1&b=<2> ${NASTY}`,
    language: id % 3 === 0 ? 'es' : id % 3 === 1 ? 'en' : null,
    createdAt: Date.UTC(2026, 0, 1) - id * 3_600_000,
    author: { id: authorId, username: authorId === 7 ? 'ana' : `u"<${authorId}>&'`, email: `u${authorId}@example.com` },
    ...extra,
  }
}

const posts = [post(1, 7), post(2, 8), post(3, 9), post(4, 7)]
const pages = [
  { items: posts, next: '1767225600000-4', newer: null },
  { items: posts.slice(0, 2), next: null, newer: '1767225600000-9' },
  { items: [], next: null },
  { items: posts, next: `x"<&'y` },
]

function user(id: number, extra: Partial<User> = {}): User {
  return {
    id,
    username: id === 7 ? 'ana' : `u"<${id}>&'`,
    email: `u${id}@example.com`,
    passwordHash: 'x',
    aboutMe: NASTY,
    language: null,
    postCount: 1,
    followerCount: 12,
    followingCount: 0,
    unreadMessageCount: 2,
    lastSeenAt: Date.UTC(2026, 2, 3, 4, 5),
    createdAt: Date.UTC(2025, 0, 1),
    deletedAt: null,
    ...extra,
  }
}

describe('page templates write the bytes of the JSX they replaced', () => {
  it('Field: inputs and textareas with every optional attribute set or not, errors, hints, children', () => {
    const variants = [
      { name: 'login', label: 'Login' },
      { name: 'login', label: NASTY, value: NASTY, autocomplete: 'username', required: true },
      { name: 'password', type: 'password', label: 'P', error: NASTY, hint: NASTY, required: false },
      { name: 'email', type: 'email', label: 'E', value: '', maxlength: 32, autofocus: true, hint: 'h' },
      { name: 'body', type: 'textarea', label: 'B', value: `${NASTY}\nline`, error: 'e', required: true, maxlength: 0 },
      { name: 'about_me', type: 'textarea', label: 'A', autofocus: false },
    ]
    let compared = 0
    for (const v of variants) {
      same(<Field {...v} />, <FieldJsx {...v} />)
      same(
        <Field {...v}>
          <p class="x">{NASTY}</p>
          {'text & more'}
        </Field>,
        <FieldJsx {...v}>
          <p class="x">{NASTY}</p>
          {'text & more'}
        </FieldJsx>,
      )
      compared += 2
    }
    expect(compared).toBe(12)
  })

  it('MoreLink, NewerLink, PostPage and PostList: first, deep, last and empty pages, base URLs with a query', () => {
    const t = createTranslator('en')
    for (const baseUrl of ['/explore', '/user/a%22b', '/search?q=a"b']) {
      for (const next of [null, '', '1767225600000-4', `x"<&'y`]) {
        same(
          <MoreLink next={next} baseUrl={baseUrl} label={NASTY} />,
          <MoreLinkJsx next={next} baseUrl={baseUrl} label={NASTY} />,
        )
        same(
          <NewerLink newer={next} baseUrl={baseUrl} label={NASTY} />,
          <NewerLinkJsx newer={next} baseUrl={baseUrl} label={NASTY} />,
        )
      }
      for (const page of pages) {
        for (const viewerId of [undefined, 7]) {
          const props = { posts: page.items, next: page.next, baseUrl, t, lang: 'es' as Lang, viewerId }
          same(<PostPage {...props} />, <PostPageJsx {...props} />, viewerId)
          same(
            <PostList {...props} newer={page.newer} empty={NASTY} />,
            <PostListJsx {...props} newer={page.newer} empty={NASTY} />,
            viewerId,
          )
        }
      }
    }
  })

  it('the post form and what a post answers (PostCreated), with and without an error, for a member', () => {
    for (const lang of LANGS) {
      const t = createTranslator(lang)
      for (const [value, error] of [
        [undefined, undefined],
        [NASTY, 'Too long & <bad>'],
        ['', ''],
      ] as const) {
        const html = same(
          <PostForm t={t} value={value} error={error} />,
          <PostFormJsx t={t} value={value} error={error} />,
          7,
        )
        expect(html).toContain('name="as_user" value="7"')
      }
      for (const duplicate of [false, true]) {
        const p = post(5, 7)
        same(
          <PostCreated t={t} lang={lang} post={p} duplicate={duplicate} />,
          <PostCreatedJsx t={t} lang={lang} post={p} duplicate={duplicate} />,
          7,
        )
      }
    }
  })

  it('home: full, deep and empty timelines (Who to follow or its slot), in both languages, with the form kept', () => {
    const suggestions = [
      { id: 8, username: `u"<8>&'`, email: 'u8@example.com', aboutMe: NASTY },
      { id: 9, username: 'bob', email: 'b@example.com', aboutMe: '' },
    ]
    let compared = 0
    for (const lang of LANGS) {
      const t = createTranslator(lang)
      for (const page of pages) {
        for (const people of [suggestions, []]) {
          const props = { t, lang, page, username: NASTY, viewerId: 7, suggestions: people }
          same(<HomePage {...props} />, <HomePageJsx {...props} />, 7)
          same(
            <HomePage {...props} value={NASTY} error={NASTY} />,
            <HomePageJsx {...props} value={NASTY} error={NASTY} />,
            7,
          )
          compared += 2
        }
      }
    }
    expect(compared).toBe(32)
    same(<WhoToFollowSlot />, <WhoToFollowSlotJsx />)
    const t = createTranslator('en')
    for (const always of [true, false]) {
      same(
        <WhoToFollow t={t} people={suggestions} always={always} />,
        <WhoToFollowJsx t={t} people={suggestions} always={always} />,
        7,
      )
    }
  })

  it('explore: visitors and members, both languages, every kind of page', () => {
    for (const lang of LANGS) {
      const t = createTranslator(lang)
      for (const page of pages) {
        for (const viewerId of [undefined, 7, 8]) {
          same(
            <ExplorePage t={t} lang={lang} page={page} viewerId={viewerId} />,
            <ExplorePageJsx t={t} lang={lang} page={page} viewerId={viewerId} />,
            viewerId,
          )
        }
      }
    }
  })

  it('profile: a visitor, the member themself, another member following or not; stats in and out of band', () => {
    let compared = 0
    for (const lang of LANGS) {
      const t = createTranslator(lang)
      for (const shown of [user(7), user(8, { aboutMe: '', followerCount: 1, postCount: 0 })]) {
        for (const viewer of [null, user(7), user(9)]) {
          for (const following of [false, true]) {
            for (const page of pages) {
              const props = { t, lang, user: shown, viewer, following, page }
              same(<ProfilePage {...props} />, <ProfilePageJsx {...props} />, viewer?.id)
              compared++
            }
            same(
              <ProfileHeader t={t} lang={lang} user={shown} viewer={viewer} following={following} />,
              <ProfileHeaderJsx t={t} lang={lang} user={shown} viewer={viewer} following={following} />,
              viewer?.id,
            )
          }
        }
        for (const oob of [undefined, true]) {
          for (const popup of [undefined, true]) {
            same(
              <ProfileStats t={t} user={shown} oob={oob} popup={popup} />,
              <ProfileStatsJsx t={t} user={shown} oob={oob} popup={popup} />,
            )
          }
        }
      }
    }
    expect(compared).toBe(96)
  })

  it('the follow button: follow and unfollow, in the popup or not, names that need escaping and encoding', () => {
    for (const lang of LANGS) {
      const t = createTranslator(lang)
      for (const username of ['ana', `u"<8>&'`, 'Ünïcode']) {
        for (const following of [false, true]) {
          for (const popup of [undefined, true]) {
            const props = { t, username, userId: 8, following, popup }
            same(<FollowButton {...props} />, <FollowButtonJsx {...props} />, 7)
            same(<FollowButton {...props} />, <FollowButtonJsx {...props} />)
          }
        }
      }
    }
  })

  it('login: empty, after a failed attempt (typed login kept, remember me), a `next` that needs escaping', () => {
    for (const lang of LANGS) {
      const t = createTranslator(lang)
      for (const next of ['/', `/user/a?b="<c>"&d='e'`]) {
        same(<LoginPage t={t} next={next} />, <LoginPageJsx t={t} next={next} />)
        for (const remember of [false, true]) {
          const props = { t, next, login: NASTY, remember, error: NASTY }
          same(<LoginPage {...props} />, <LoginPageJsx {...props} />)
        }
      }
    }
  })

  it('the nav search box, the new-posts bar and the live fallback link', () => {
    for (const lang of LANGS) {
      const t = createTranslator(lang)
      for (const q of ['', NASTY]) {
        for (const invalid of [false, true]) {
          same(<SearchBox t={t} q={q} invalid={invalid} />, <SearchBoxJsx t={t} q={q} invalid={invalid} />)
        }
      }
      for (const count of [0, 1, 7]) {
        for (const oob of [undefined, true]) {
          same(<NewPostsBar t={t} count={count} oob={oob} />, <NewPostsBarJsx t={t} count={count} oob={oob} />)
        }
      }
      same(<LiveFallbackLink t={t} href={`/?a="<b>"`} />, <LiveFallbackLinkJsx t={t} href={`/?a="<b>"`} />)
    }
  })

  it('escapes user text in text and attributes (never raw)', () => {
    const t = createTranslator('en')
    const html = render(
      <ProfilePage t={t} lang="en" user={user(8)} viewer={user(7)} following={false} page={pages[3]!} />,
      7,
    )
    expect(html).not.toContain('<b>"q"')
    expect(html).toContain('&lt;b&gt;&quot;q&quot; &amp; &#39;a&#39;&lt;/b&gt;')
    expect(html).toContain('<h1>u&quot;&lt;8&gt;&amp;&#39;</h1>')
    expect(html).toContain('action="/follow/u%22%3C8%3E%26&#39;"')
    expect(html).toContain('before=x%22%3C%26&#39;y"')
    const login = render(<LoginPage t={t} next={`/a"><script>`} login={`"><script>`} error="e" />, undefined)
    expect(login).not.toContain('<script>')
    expect(login).toContain('value="/a&quot;&gt;&lt;script&gt;"')
  })
})
