import type { Translate } from '../../lib/i18n'
import { SessionGuardField } from '../../views/session-guard'

/**
 * Follow/Unfollow as a real form (works without JavaScript). Under htmx the form swaps
 * itself for the opposite button and the counts update out of band.
 */
export function FollowButton(props: { t: Translate; username: string; userId: number; following: boolean }) {
  const { t, username, following } = props
  const action = `/${following ? 'unfollow' : 'follow'}/${encodeURIComponent(username)}`
  return (
    <form
      id={`follow-${props.userId}`}
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
