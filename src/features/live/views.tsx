import type { Child } from 'hono/jsx'
import { createTranslator, type Lang, type Translate } from '../../lib/i18n'
import { ExportStatus } from '../data/views'
import { MessageItem, threadListId, UnreadBadge } from '../messages/views'
import { ProfileStats } from '../users/views'
import type { LiveEvent } from './events'

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

/**
 * Per-socket state the hub keeps in the socket's attachment (survives hibernation). `export`
 * is the export whose progress the socket's page shows (it said so with `export-watch`).
 */
export type SocketState = { lang: Lang; newPosts: number; export?: number }

/** The fragments one socket receives for an event, as an HTML string. */
export async function renderLiveEvent(event: LiveEvent, state: SocketState): Promise<string> {
  const t = createTranslator(state.lang)
  let node: Child
  switch (event.type) {
    case 'unread':
      node = <UnreadBadge t={t} count={event.count} oob />
      break
    case 'message': {
      const read = `/messages/${encodeURIComponent(event.from.username)}/read`
      node = (
        <>
          <UnreadBadge t={t} count={event.unread} oob />
          {/* Appended only where the thread with the sender is open; the hidden item then
              marks the thread read (the reader sees the message), which updates the badge. */}
          <ol data-hx-swap-oob={`beforeend:#${threadListId(event.from.id)}`}>
            <MessageItem t={t} lang={state.lang} message={event.message} mine={false} />
            <li class="mark-read" hidden data-hx-post={read} data-hx-trigger="load" data-hx-swap="delete" />
          </ol>
        </>
      )
      break
    }
    case 'message-deleted':
      node = (
        <>
          <UnreadBadge t={t} count={event.unread} oob />
          <li id={`message-${event.messageId}`} data-hx-swap-oob="delete" />
        </>
      )
      break
    case 'post':
      node = <NewPostsBar t={t} count={state.newPosts} oob />
      break
    case 'stats':
      node = <ProfileStats t={t} user={event.user} oob />
      break
    case 'export':
      node = <ExportStatus t={t} lang={state.lang} job={event.job} now={Date.now()} oob />
      break
  }
  // A hono/jsx element renders with toString() (a string, or a promise for async parts).
  return String(await (node as { toString(): string | Promise<string> }).toString())
}
