import { createTranslator, type Lang, type Translate } from '../../lib/i18n'

/**
 * Without a live socket (no JavaScript, a proxy that blocks WebSockets) a plain link does
 * the bar's job; CSS hides it while `html[data-live="open"]` (set by public/js/live.js).
 */
export function LiveFallbackLink(props: { t: Translate; href: string }) {
  return (
    <p class="live-fallback">
      <a href={props.href}>{props.t('live.refresh')}</a>
    </p>
  )
}

/**
 * The "N new posts" bar above the home timeline. Empty on page load; the live channel
 * fills it. Clicking loads the newest page of the timeline in place (public/js/live.js
 * then empties the bar and tells the hub to count from zero again).
 */
export function NewPostsBar(props: { t: Translate; count: number; oob?: boolean }) {
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

/** The bar as the hub pushes it to one tab: that tab's count, in its language. */
export function newPostsFragment(lang: Lang, count: number): string {
  return String(<NewPostsBar t={createTranslator(lang)} count={count} oob />)
}
