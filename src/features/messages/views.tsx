import type { Page } from '../../lib/cursor'
import type { Lang, Translate } from '../../lib/i18n'
import { Avatar, Field, MoreLink, PostBody, RelativeTime } from '../../views/components'
import type { ConversationView, MessageView } from './queries'
import { localized, type LiveEvent } from '../live/events'
import { SessionGuardField } from '../../views/session-guard'
import { MESSAGE_MAX } from './schemas'

type Member = { id: number; username: string; email: string }

const threadUrl = (username: string) => `/messages/${encodeURIComponent(username)}`

/** The id of a thread's message list: the live channel appends to it by this id. */
export const threadListId = (otherId: number) => `thread-${otherId}`

/**
 * The unread badge in the navigation. It is always in the page (hidden at zero) so the
 * live channel can swap it by id; the visible number is explained for screen readers.
 */
export function UnreadBadge(props: { t: Translate; count: number; oob?: boolean }) {
  const { t, count } = props
  return (
    <span
      id="unread-badge"
      class="badge"
      hidden={count === 0}
      data-count={String(count)}
      data-hx-swap-oob={props.oob ? 'true' : undefined}
    >
      <span aria-hidden="true">{count}</span>
      <span class="sr-only">{t('nav.unread', { count })}</span>
    </span>
  )
}

/** The badge alone, for the member's open pages (a thread was read, here or in another tab). */
export function unreadEvent(count: number): LiveEvent {
  return { type: 'fragment', html: localized((t) => <UnreadBadge t={t} count={count} oob />) }
}

/** What the recipient's open pages get for a new message: the badge, and the message for an open thread. */
export function messageEvent(props: {
  from: { id: number; username: string }
  message: MessageView
  unread: number
}): LiveEvent {
  const { from, message } = props
  const read = `${threadUrl(from.username)}/read`
  const html = localized((t, lang) => (
    <>
      <UnreadBadge t={t} count={props.unread} oob />
      {/* Appended only where the thread with the sender is open; the hidden item then marks
          the thread read (the reader sees the message), which updates the badge. */}
      <ol data-hx-swap-oob={`beforeend:#${threadListId(from.id)}`}>
        <MessageItem t={t} lang={lang} message={message} mine={false} />
        <li class="mark-read" hidden data-hx-post={read} data-hx-trigger="load" data-hx-swap="delete"></li>
      </ol>
    </>
  ))
  return { type: 'fragment', html }
}

/** A message the member had received was deleted by its sender: gone from an open thread, and the badge. */
export function messageDeletedEvent(messageId: number, unread: number): LiveEvent {
  const html = localized((t) => (
    <>
      <UnreadBadge t={t} count={unread} oob />
      <li id={`message-${messageId}`} data-hx-swap-oob="delete"></li>
    </>
  ))
  return { type: 'fragment', html }
}

/** "Message" on another member's profile (and popup): a plain link to the thread. */
export function MessageButton(props: { t: Translate; username: string }) {
  return (
    <a class="button secondary message-button" href={threadUrl(props.username)}>
      {props.t('messages.message')}
    </a>
  )
}

function snippet(body: string): string {
  const chars = Array.from(body)
  return chars.length > 60 ? `${chars.slice(0, 60).join('')}…` : body
}

function ConversationItem(props: { t: Translate; lang: Lang; viewerId: number; item: ConversationView }) {
  const { t, lang, item } = props
  const { other } = item
  const body = item.lastMessageBody
  return (
    <li class={item.unread > 0 ? 'conversation unread' : 'conversation'}>
      {Avatar({ email: other.email, size: 48, username: other.username })}
      <div class="conversation-main">
        <p class="conversation-meta">
          <a class="author" href={threadUrl(other.username)}>
            {other.username}
          </a>
          <span aria-hidden="true"> · </span>
          {RelativeTime({ at: item.lastMessageAt, lang })}
          {item.unread > 0 ? <span class="badge">{t('messages.unread', { count: item.unread })}</span> : null}
        </p>
        <p class="conversation-last">
          {body === null
            ? t('messages.noMessages')
            : item.lastSenderId === props.viewerId
              ? t('messages.you', { body: snippet(body) })
              : snippet(body)}
        </p>
      </div>
    </li>
  )
}

/** One page of the inbox; the next page loads into the list's last item. */
export function ConversationPage(props: { t: Translate; lang: Lang; viewerId: number; page: Page<ConversationView> }) {
  const { t, lang, viewerId, page } = props
  return (
    <>
      {page.items.map((item) => ConversationItem({ t, lang, viewerId, item }))}
      {page.next ? (
        <li class="more-item">
          <MoreLink next={page.next} baseUrl="/messages" label={t('messages.more')} />
        </li>
      ) : null}
    </>
  )
}

export function InboxPage(props: { t: Translate; lang: Lang; viewerId: number; page: Page<ConversationView> }) {
  const { t } = props
  return (
    <>
      <h1>{t('messages.title')}</h1>
      {props.page.items.length === 0 ? <p class="empty">{t('messages.empty')}</p> : null}
      <ul id="conversations" class="conversations">
        <ConversationPage {...props} />
      </ul>
    </>
  )
}

/** One message (`#message-<id>`, which its deletion removes). The sender gets a Delete form (works without JavaScript). */
export function MessageItem(props: { t: Translate; lang: Lang; message: MessageView; mine: boolean }) {
  const { t, lang, message } = props
  const action = `/message/${message.id}/delete`
  return (
    <li id={`message-${message.id}`} class={props.mine ? 'message mine' : 'message theirs'}>
      {PostBody({ body: message.body })}
      <div class="message-meta">
        {RelativeTime({ at: message.createdAt, lang })}
        {props.mine ? (
          <form
            method="post"
            action={action}
            class="inline-form"
            data-hx-post={action}
            data-hx-target={`#message-${message.id}`}
            data-hx-swap="outerHTML"
          >
            <SessionGuardField />
            <button type="submit" class="link-button">
              {t('messages.delete')}
            </button>
          </form>
        ) : null}
      </div>
    </li>
  )
}

/**
 * A page of a thread, oldest first. Older messages load above: with htmx when the loader
 * scrolls into view (it replaces itself with the older page), without JS as a link.
 */
export function ThreadMessages(props: {
  t: Translate
  lang: Lang
  viewerId: number
  other: Member
  page: Page<MessageView>
}) {
  const { t, lang, page } = props
  const href = page.next ? `${threadUrl(props.other.username)}?before=${encodeURIComponent(page.next)}` : null
  return (
    <>
      {href ? (
        <li class="older" data-hx-get={href} data-hx-trigger="intersect once" data-hx-swap="outerHTML">
          <a href={href} class="button secondary">
            {t('messages.older')}
          </a>
        </li>
      ) : null}
      {page.items.map((message) => MessageItem({ t, lang, message, mine: message.senderId === props.viewerId }))}
    </>
  )
}

export function MessageForm(props: { t: Translate; other: Member; value?: string; error?: string }) {
  const { t } = props
  const action = threadUrl(props.other.username)
  return (
    <form
      id="message-form"
      class="card message-form"
      method="post"
      action={action}
      data-hx-post={action}
      data-hx-target="this"
      data-hx-swap="outerHTML"
      data-hx-disabled-elt="find button"
    >
      <SessionGuardField />
      <Field
        name="body"
        type="textarea"
        label={t('messages.formLabel', { username: props.other.username })}
        value={props.value}
        error={props.error}
        required
        hint={t('messages.formHint', { max: MESSAGE_MAX })}
      />
      <button type="submit">{t('messages.send')}</button>
    </form>
  )
}

/** htmx's answer to a sent message: a clean form, and the message appended to the thread. */
export function MessageSent(props: { t: Translate; lang: Lang; other: Member; message: MessageView }) {
  return (
    <>
      <MessageForm t={props.t} other={props.other} />
      <ol data-hx-swap-oob={`beforeend:#${threadListId(props.other.id)}`}>
        <MessageItem t={props.t} lang={props.lang} message={props.message} mine />
      </ol>
    </>
  )
}

export function ThreadPage(props: {
  t: Translate
  lang: Lang
  viewerId: number
  other: Member
  page: Page<MessageView>
  value?: string
  error?: string
}) {
  const { t, other } = props
  return (
    <>
      <p>
        <a href="/messages">{t('messages.back')}</a>
      </p>
      <h1 class="thread-title">
        <Avatar email={other.email} size={48} username={other.username} />
        <a href={`/user/${encodeURIComponent(other.username)}`}>
          {t('messages.threadTitle', { username: other.username })}
        </a>
      </h1>
      <section
        class="card thread-box"
        id="thread-box"
        aria-label={t('messages.threadTitle', { username: other.username })}
      >
        {props.page.items.length === 0 ? <p class="empty thread-empty">{t('messages.noMessages')}</p> : null}
        <ol id={threadListId(other.id)} class="thread" aria-live="polite">
          <ThreadMessages {...props} />
        </ol>
      </section>
      <MessageForm t={t} other={other} value={props.value} error={props.error} />
    </>
  )
}
