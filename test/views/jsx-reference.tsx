// The JSX the `html` templates of the page bodies replaced (issue 14), kept
// verbatim as the reference the templates are compared with (test/views/pages.test.tsx,
// the layout's parts are in jsx-reference-layout.tsx). Each is the component as it was in JSX, renamed `…Jsx`; the
// ones it calls are the reference versions too, except PostItem (compared on its own in
// test/views/post-item.test.tsx), Avatar, RelativeTime and the messages area's components.
import type { Child } from 'hono/jsx'
import { useRequestContext } from 'hono/jsx-renderer'
import type { User } from '../../src/db/schema'
import type { AppEnv } from '../../src/env'
import type { Suggestion } from '../../src/features/follows/queries'
import { MessageButton } from '../../src/features/messages/views'
import { POST_MAX } from '../../src/features/posts/schemas'
import type { Page } from '../../src/lib/cursor'
import type { Lang, Translate } from '../../src/lib/i18n'
import { Avatar, PostItem, RelativeTime, type PostView } from '../../src/views/components'

export function SessionGuardFieldJsx() {
  let userId: number | undefined
  try {
    userId = useRequestContext<AppEnv>().get('user')?.id
  } catch {
    return null
  }
  return userId === undefined ? null : <input type="hidden" name="as_user" value={String(userId)} />
}

// src/views/components.tsx
export function PostPageJsx(props: {
  posts: PostView[]
  next: string | null
  baseUrl: string
  t: Translate
  lang: Lang
  viewerId?: number | undefined
}) {
  const { posts, next, baseUrl, t, lang } = props
  return (
    <>
      {posts.map((post) => (
        <PostItem post={post} t={t} lang={lang} viewerId={props.viewerId} />
      ))}
      <MoreLinkJsx next={next} baseUrl={baseUrl} label={t('posts.older')} />
    </>
  )
}

// src/views/components.tsx
export function MoreLinkJsx(props: { next: string | null; baseUrl: string; label: string }) {
  if (!props.next) return <p class="end-of-list" />
  const sep = props.baseUrl.includes('?') ? '&' : '?'
  const href = `${props.baseUrl}${sep}before=${encodeURIComponent(props.next)}`
  return (
    <div class="more" data-hx-get={href} data-hx-trigger="revealed" data-hx-swap="outerHTML" data-hx-target="this">
      <a href={href} class="button secondary">
        {props.label}
      </a>
    </div>
  )
}

// src/views/components.tsx
export function NewerLinkJsx(props: { newer: string | null | undefined; baseUrl: string; label: string }) {
  if (!props.newer) return null
  const sep = props.baseUrl.includes('?') ? '&' : '?'
  return (
    <p class="newer">
      <a href={`${props.baseUrl}${sep}after=${encodeURIComponent(props.newer)}`} class="button secondary" rel="prev">
        {props.label}
      </a>
    </p>
  )
}

// src/views/components.tsx
export function PostListJsx(props: {
  posts: PostView[]
  next: string | null
  newer?: string | null
  baseUrl: string
  t: Translate
  lang: Lang
  empty: string
  viewerId?: number | undefined
}) {
  return (
    <>
      <NewerLinkJsx newer={props.newer} baseUrl={props.baseUrl} label={props.t('posts.newer')} />
      <section id="posts" class="post-list" aria-live="polite">
        {props.posts.length === 0 ? (
          <p class="empty" id="posts-empty">
            {props.empty}
          </p>
        ) : null}
        <PostPageJsx {...props} />
      </section>
    </>
  )
}

// src/views/components.tsx
export function FieldJsx(props: {
  name: string
  label: string
  type?: string
  value?: string
  error?: string | undefined
  autocomplete?: string
  required?: boolean
  maxlength?: number
  hint?: string
  autofocus?: boolean
  children?: Child
}) {
  const id = `field-${props.name}`
  const errorId = `${id}-error`
  const hintId = `${id}-hint`
  const describedBy = [props.error ? errorId : null, props.hint ? hintId : null].filter(Boolean).join(' ')
  return (
    <div class={props.error ? 'field has-error' : 'field'}>
      <label for={id}>{props.label}</label>
      {props.type === 'textarea' ? (
        <textarea
          id={id}
          name={props.name}
          required={props.required}
          maxlength={props.maxlength}
          aria-invalid={props.error ? 'true' : undefined}
          aria-describedby={describedBy || undefined}
          autofocus={props.autofocus || undefined}
          rows={3}
        >
          {props.value ?? ''}
        </textarea>
      ) : (
        <input
          id={id}
          name={props.name}
          type={props.type ?? 'text'}
          value={props.value}
          autocomplete={props.autocomplete}
          required={props.required}
          maxlength={props.maxlength}
          aria-invalid={props.error ? 'true' : undefined}
          aria-describedby={describedBy || undefined}
          autofocus={props.autofocus || undefined}
        />
      )}
      {props.hint ? (
        <p class="hint" id={hintId}>
          {props.hint}
        </p>
      ) : null}
      {props.error ? (
        <p class="error" id={errorId}>
          {props.error}
        </p>
      ) : null}
      {props.children}
    </div>
  )
}

// src/features/posts/views.tsx
export function PostFormJsx(props: { t: Translate; value?: string; error?: string }) {
  const { t } = props
  return (
    <form
      id="post-form"
      class="card post-form"
      method="post"
      action="/"
      data-hx-post="/"
      data-hx-target="this"
      data-hx-swap="outerHTML"
      data-hx-disabled-elt="find button"
    >
      <input type="hidden" name="form_key" value={crypto.randomUUID()} />
      <SessionGuardFieldJsx />
      <FieldJsx
        name="body"
        type="textarea"
        label={t('posts.formLabel')}
        value={props.value}
        error={props.error}
        autofocus={props.error !== undefined}
        required
        hint={t('posts.formHint', { max: POST_MAX })}
      >
        <p
          class="char-counter"
          id="post-counter"
          aria-hidden="true"
          data-max={POST_MAX}
          data-left-one={t('composer.left.one')}
          data-left-other={t('composer.left.other')}
          data-over-one={t('composer.over.one')}
          data-over-other={t('composer.over.other')}
          hidden
        ></p>
        <p class="sr-only char-status" role="status"></p>
      </FieldJsx>
      <button type="submit">{t('posts.submit')}</button>
    </form>
  )
}

// src/features/posts/views.tsx
export function PostCreatedJsx(props: { t: Translate; lang: Lang; post: PostView; duplicate: boolean }) {
  return (
    <>
      <PostFormJsx t={props.t} />
      {props.duplicate ? null : (
        <>
          <div data-hx-swap-oob="afterbegin:#posts">
            <PostItem post={props.post} t={props.t} lang={props.lang} viewerId={props.post.author.id} />
          </div>
          <p id="posts-empty" data-hx-swap-oob="delete"></p>
        </>
      )}
      <div data-hx-swap-oob="innerHTML:#messages-top">
        <p class="flash" role="status">
          {props.t('posts.live')}
        </p>
      </div>
    </>
  )
}

// src/features/posts/views.tsx
export function HomePageJsx(props: {
  t: Translate
  lang: Lang
  page: Page<PostView>
  username: string
  viewerId: number
  suggestions: Suggestion[]
  value?: string
  error?: string
}) {
  const { t, lang, page } = props
  const empty = page.items.length === 0
  return (
    <div class="home-grid">
      <div class="home-main">
        <h1>{t('home.greeting', { username: props.username })}</h1>
        <PostFormJsx t={t} value={props.value} error={props.error} />
        <h2 class="sr-only">{t('home.timeline')}</h2>
        <NewPostsBarJsx t={t} count={0} />
        <LiveFallbackLinkJsx t={t} href="/" />
        <PostListJsx
          posts={page.items}
          next={page.next}
          newer={page.newer ?? null}
          baseUrl="/"
          t={t}
          lang={lang}
          empty={t('home.empty')}
          viewerId={props.viewerId}
        />
      </div>
      {empty ? <WhoToFollowJsx t={t} people={props.suggestions} always /> : <WhoToFollowSlotJsx />}
    </div>
  )
}

// src/features/posts/views.tsx
export function ExplorePageJsx(props: {
  t: Translate
  lang: Lang
  page: Page<PostView>
  viewerId?: number | undefined
}) {
  const { t, lang, page } = props
  return (
    <>
      <h1>{t('explore.title')}</h1>
      <PostListJsx
        posts={page.items}
        next={page.next}
        newer={page.newer ?? null}
        baseUrl="/explore"
        t={t}
        lang={lang}
        empty={t('explore.empty')}
        viewerId={props.viewerId}
      />
    </>
  )
}

// src/features/follows/views.tsx
export function FollowButtonJsx(props: {
  t: Translate
  username: string
  userId: number
  following: boolean
  popup?: boolean
}) {
  const { t, username, following } = props
  const action = `/${following ? 'unfollow' : 'follow'}/${encodeURIComponent(username)}${props.popup ? '?in=popup' : ''}`
  return (
    <form
      id={`${props.popup ? 'popup-follow' : 'follow'}-${props.userId}`}
      class="follow-form"
      method="post"
      action={action}
      data-hx-post={action}
      data-hx-target="this"
      data-hx-swap="outerHTML"
      data-hx-disabled-elt="find button"
    >
      <SessionGuardFieldJsx />
      <button type="submit" class={following ? 'secondary' : ''} aria-pressed={following ? 'true' : 'false'}>
        {following ? t('follows.unfollow') : t('follows.follow')}
      </button>
    </form>
  )
}

// src/features/follows/views.tsx
export function WhoToFollowJsx(props: {
  t: Translate
  people: { id: number; username: string; email: string; aboutMe: string }[]
  always: boolean
}) {
  const { t, people } = props
  if (people.length === 0) return null
  return (
    <aside class={props.always ? 'who-to-follow always' : 'who-to-follow'} aria-labelledby="who-to-follow-title">
      <h2 id="who-to-follow-title">{t('follows.suggestions')}</h2>
      <ul>
        {people.map((person) => (
          <li class="suggestion">
            <Avatar email={person.email} size={40} username={person.username} />
            <div class="suggestion-main">
              <a class="author" href={`/user/${encodeURIComponent(person.username)}`}>
                {person.username}
              </a>
              {person.aboutMe ? <p class="about muted">{person.aboutMe}</p> : null}
            </div>
            <FollowButtonJsx t={t} username={person.username} userId={person.id} following={false} />
          </li>
        ))}
      </ul>
    </aside>
  )
}

// src/features/follows/views.tsx
export function WhoToFollowSlotJsx() {
  return (
    <div
      class="who-to-follow-slot"
      data-hx-get="/who-to-follow"
      data-hx-trigger="load"
      data-hx-target="this"
      data-hx-swap="outerHTML"
    ></div>
  )
}

// src/features/users/views.tsx
export function ProfileStatsJsx(props: {
  t: Translate
  user: Pick<User, 'id' | 'username' | 'postCount' | 'followerCount' | 'followingCount'>
  oob?: boolean
  popup?: boolean
}) {
  const { t, user } = props
  const name = encodeURIComponent(user.username)
  const id = `${props.popup ? 'popup-stats' : 'stats'}-${user.id}`
  return (
    <ul class="stats" id={id} data-hx-swap-oob={props.oob ? 'true' : undefined}>
      <li>{t('profile.posts', { count: user.postCount })}</li>
      <li>
        <a href={`/user/${name}/followers`}>{t('profile.followers', { count: user.followerCount })}</a>
      </li>
      <li>
        <a href={`/user/${name}/following`}>{t('profile.following', { count: user.followingCount })}</a>
      </li>
    </ul>
  )
}

// src/features/users/views.tsx
export function ProfileHeaderJsx(props: {
  t: Translate
  lang: Lang
  user: User
  viewer: User | null
  following: boolean
}) {
  const { t, lang, user, viewer } = props
  return (
    <section class="card profile">
      <Avatar email={user.email} size={128} username={user.username} eager />
      <div class="profile-main">
        <h1>{user.username}</h1>
        {user.aboutMe ? (
          <p class="about" dir="auto">
            {user.aboutMe}
          </p>
        ) : null}
        <p class="muted">
          {t('profile.lastSeen')} <RelativeTime at={user.lastSeenAt} lang={lang} />
        </p>
        <ProfileStatsJsx t={t} user={user} />
        {viewer && viewer.id === user.id ? (
          <a class="button secondary" href="/settings/profile">
            {t('profile.edit')}
          </a>
        ) : viewer ? (
          <div class="profile-actions">
            <FollowButtonJsx t={t} username={user.username} userId={user.id} following={props.following} />
            <MessageButton t={t} username={user.username} />
          </div>
        ) : null}
      </div>
    </section>
  )
}

// src/features/users/views.tsx
export function ProfilePageJsx(props: {
  t: Translate
  lang: Lang
  user: User
  viewer: User | null
  following: boolean
  page: Page<PostView>
}) {
  const { t, lang, user, page } = props
  return (
    <>
      <ProfileHeaderJsx {...props} />
      <h2>{t('profile.postsHeading')}</h2>
      <PostListJsx
        posts={page.items}
        next={page.next}
        newer={page.newer ?? null}
        baseUrl={`/user/${encodeURIComponent(user.username)}`}
        t={t}
        lang={lang}
        empty={t('profile.noPosts')}
        viewerId={props.viewer?.id}
      />
    </>
  )
}

// src/features/auth/views.tsx
export function LoginPageJsx(props: {
  t: Translate
  next: string
  login?: string
  remember?: boolean
  error?: string
}) {
  const { t } = props
  return (
    <section class="card narrow">
      <h1>{t('auth.loginTitle')}</h1>
      {props.error ? (
        <p class="flash flash-error" role="alert" id="login-error">
          {props.error}
        </p>
      ) : null}
      <form method="post" action="/auth/login" novalidate>
        <input type="hidden" name="next" value={props.next} />
        <FieldJsx name="login" label={t('auth.usernameOrEmail')} value={props.login} autocomplete="username" required />
        <FieldJsx name="password" type="password" label={t('auth.password')} autocomplete="current-password" required />
        <div class="field checkbox">
          <input type="checkbox" id="field-remember" name="remember" value="1" checked={props.remember} />
          <label for="field-remember">{t('auth.rememberMe')}</label>
        </div>
        <button type="submit">{t('auth.loginSubmit')}</button>
      </form>
      <p>
        <a href="/auth/reset-password">{t('auth.forgotPassword')}</a>
      </p>
      <p>
        {t('auth.newHere')} <a href="/auth/register">{t('auth.registerLink')}</a>
      </p>
    </section>
  )
}

// src/features/live/views.tsx
export function LiveFallbackLinkJsx(props: { t: Translate; href: string }) {
  return (
    <p class="live-fallback">
      <a href={props.href}>{props.t('live.refresh')}</a>
    </p>
  )
}

// src/features/live/views.tsx
export function NewPostsBarJsx(props: { t: Translate; count: number; oob?: boolean }) {
  const { t, count } = props
  return (
    <div id="new-posts" class="new-posts" data-hx-swap-oob={props.oob ? 'true' : undefined}>
      {count > 0 ? (
        <a
          href="/"
          class="button new-posts-button"
          data-hx-get="/"
          data-hx-target="#posts"
          data-hx-swap="innerHTML show:top"
        >
          {t('live.newPosts', { count })}
        </a>
      ) : null}
    </div>
  )
}
