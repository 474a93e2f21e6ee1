import type { User } from '../../db/schema'
import type { Page } from '../../lib/cursor'
import type { FieldErrors } from '../../lib/forms'
import type { Lang, Translate } from '../../lib/i18n'
import { Avatar, Field, MoreLink, PostList, RelativeTime, type PostView } from '../../views/components'
import { SessionGuardField } from '../../views/session-guard'
import { SettingsNav } from '../../views/settings-nav'
import { FollowButton } from '../follows/views'
import { localized, type LiveEvent } from '../live/events'
import { MessageButton } from '../messages/views'
import type { UserListItem } from './queries'
import { ABOUT_MAX } from './schemas'

/**
 * Counts of a profile; swapped out of band when someone follows or unfollows (and pushed
 * live to the member). The popup's copy has its own id, so a popup opened on that member's
 * profile page is valid HTML too.
 */
export function ProfileStats(props: {
  t: Translate
  user: Pick<User, 'id' | 'username' | 'postCount' | 'followerCount' | 'followingCount'>
  oob?: boolean
  popup?: boolean
}) {
  const { t, user } = props
  const name = encodeURIComponent(user.username)
  return (
    <ul
      class="stats"
      id={`${props.popup ? 'popup-stats' : 'stats'}-${user.id}`}
      data-hx-swap-oob={props.oob ? 'true' : undefined}
    >
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

/** The member's new counts, for their own open profile (someone followed or unfollowed them). */
export function statsEvent(
  user: Pick<User, 'id' | 'username' | 'postCount' | 'followerCount' | 'followingCount'>,
): LiveEvent {
  return { type: 'fragment', html: localized((t) => <ProfileStats t={t} user={user} oob />) }
}

export function ProfileHeader(props: {
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
        <ProfileStats t={t} user={user} />
        {viewer && viewer.id === user.id ? (
          <a class="button secondary" href="/settings/profile">
            {t('profile.edit')}
          </a>
        ) : viewer ? (
          <div class="profile-actions">
            <FollowButton t={t} username={user.username} userId={user.id} following={props.following} />
            <MessageButton t={t} username={user.username} />
          </div>
        ) : null}
      </div>
    </section>
  )
}

export function ProfilePage(props: {
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
      <ProfileHeader t={t} lang={lang} user={user} viewer={props.viewer} following={props.following} />
      <h2>{t('profile.postsHeading')}</h2>
      <PostList
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

export function UserListPage(props: {
  t: Translate
  user: User
  kind: 'followers' | 'following'
  page: Page<UserListItem>
  viewerId?: number | undefined
  followed: Set<number>
}) {
  const { t, user, kind, page } = props
  const name = encodeURIComponent(user.username)
  return (
    <>
      <h1>
        {kind === 'followers'
          ? t('follows.followersOf', { username: user.username })
          : t('follows.followingOf', { username: user.username })}
      </h1>
      <p>
        <a href={`/user/${name}`}>{t('follows.backToProfile', { username: user.username })}</a>
      </p>
      <section id="people" class="people">
        {page.items.length === 0 ? <p class="empty">{t('follows.none')}</p> : null}
        <UserListItems
          t={t}
          page={page}
          baseUrl={`/user/${name}/${kind}`}
          viewerId={props.viewerId}
          followed={props.followed}
        />
      </section>
    </>
  )
}

/** One page of people; a member sees a Follow/Unfollow button beside everyone but themself. */
export function UserListItems(props: {
  t: Translate
  page: Page<UserListItem>
  baseUrl: string
  viewerId?: number | undefined
  followed: Set<number>
}) {
  return (
    <>
      {props.page.items.map((item) => (
        <article class="person">
          <Avatar email={item.email} size={48} username={item.username} />
          <div>
            <a class="author" href={`/user/${encodeURIComponent(item.username)}`}>
              {item.username}
            </a>
            {item.aboutMe ? (
              <p class="about" dir="auto">
                {item.aboutMe}
              </p>
            ) : null}
          </div>
          {props.viewerId !== undefined && props.viewerId !== item.id ? (
            <FollowButton
              t={props.t}
              username={item.username}
              userId={item.id}
              following={props.followed.has(item.id)}
            />
          ) : null}
        </article>
      ))}
      <MoreLink next={props.page.next} baseUrl={props.baseUrl} label={props.t('follows.more')} />
    </>
  )
}

export function EditProfilePage(props: {
  t: Translate
  values: { username: string; about_me: string }
  errors?: FieldErrors
  /** The member's current name: Cancel goes back to their profile. */
  profileName: string
}) {
  const { t, values, errors = {} } = props
  const err = (name: string) => (errors[name] ? t(errors[name]) : undefined)
  return (
    <>
      <SettingsNav t={t} current="profile" />
      <section class="card narrow">
        <h1>{t('profile.editTitle')}</h1>
        <form method="post" action="/settings/profile" novalidate>
          <SessionGuardField />
          <Field
            name="username"
            label={t('auth.username')}
            value={values.username}
            error={err('username')}
            autocomplete="username"
            required
            maxlength={32}
            hint={t('auth.usernameHint')}
          />
          <Field
            name="about_me"
            type="textarea"
            label={t('profile.about')}
            value={values.about_me}
            error={err('about_me')}
            hint={t('profile.aboutHint', { max: ABOUT_MAX })}
          />
          <div class="actions">
            <button type="submit">{t('profile.save')}</button>
            <a href={`/user/${encodeURIComponent(props.profileName)}`} class="cancel">
              {t('forms.cancel')}
            </a>
          </div>
        </form>
      </section>
    </>
  )
}

/**
 * The card shown when a pointer rests on (or the keyboard focuses) an author link:
 * `GET /user/:username/popup`, opened by `public/js/popups.js`. Members looking at someone
 * else get the working Follow/Unfollow button; its answer updates the card's counts.
 */
export function UserPopup(props: { t: Translate; lang: Lang; user: User; viewer: User | null; following: boolean }) {
  const { t, lang, user, viewer } = props
  const href = `/user/${encodeURIComponent(user.username)}`
  return (
    <div class="popup-card" aria-label={t('popup.label', { username: user.username })} role="group">
      <Avatar email={user.email} size={64} username={user.username} />
      <div class="popup-main">
        <a class="popup-name" href={href}>
          {user.username}
        </a>
        {user.aboutMe ? <p class="about">{user.aboutMe}</p> : null}
        <p class="muted">
          {t('profile.lastSeen')} <RelativeTime at={user.lastSeenAt} lang={lang} />
        </p>
        <ProfileStats t={t} user={user} popup />
        {viewer && viewer.id !== user.id ? (
          <div class="profile-actions">
            <FollowButton t={t} username={user.username} userId={user.id} following={props.following} popup />
            <MessageButton t={t} username={user.username} />
          </div>
        ) : null}
      </div>
    </div>
  )
}
