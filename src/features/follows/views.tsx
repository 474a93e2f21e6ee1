import type { Translate } from '../../lib/i18n'
import { Avatar } from '../../views/components'
import { SessionGuardField } from '../../views/session-guard'

/**
 * Follow/Unfollow as a real form (works without JavaScript). Under htmx the form swaps
 * itself for the opposite button and the counts update out of band. The user popup's copy
 * (`popup`) says so in its action (`?in=popup`), so the answer updates the popup's counts.
 */
export function FollowButton(props: {
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
      <SessionGuardField />
      <button type="submit" class={following ? 'secondary' : ''} aria-pressed={following ? 'true' : 'false'}>
        {following ? t('follows.unfollow') : t('follows.follow')}
      </button>
    </form>
  )
}

/**
 * "Who to follow": a few active members the viewer does not follow yet, each with a
 * Follow button. Beside the timeline on wide screens; on the empty home timeline also on
 * phones (`always`), where it is the way to fill it.
 */
export function WhoToFollow(props: {
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
            <FollowButton t={t} username={person.username} userId={person.id} following={false} />
          </li>
        ))}
      </ul>
    </aside>
  )
}

/**
 * Where "Who to follow" goes beside a non-empty timeline: htmx loads it after the page
 * (GET /who-to-follow), so the home page itself stays within its row budget. Without
 * JavaScript the block shows only on the empty timeline, where it matters most.
 */
export function WhoToFollowSlot() {
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
