import type { Context } from 'hono'
import type { Child } from 'hono/jsx'
import { RequestContext } from 'hono/jsx-renderer'
import { describe, expect, it } from 'vitest'
import type { ConversationView, MessageView } from '../../src/features/messages/queries'
import { ConversationPage, ThreadMessages, UnreadBadge } from '../../src/features/messages/views'
import type { Page } from '../../src/lib/cursor'
import { createTranslator, type Lang, type Translate } from '../../src/lib/i18n'
import { Avatar, MoreLink, PostBody, RelativeTime } from '../../src/views/components'
import { SessionGuardField } from '../../src/views/session-guard'

// The JSX the `html` templates of src/features/messages/views.tsx replaced (kept here as
// the reference): the templates must write exactly the same bytes.
type Member = { id: number; username: string; email: string }
const threadUrl = (username: string) => `/messages/${encodeURIComponent(username)}`

function UnreadBadgeJsx(props: { t: Translate; count: number; oob?: boolean }) {
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

function snippet(body: string): string {
  const chars = Array.from(body)
  return chars.length > 60 ? `${chars.slice(0, 60).join('')}…` : body
}

function ConversationItemJsx(props: { t: Translate; lang: Lang; viewerId: number; item: ConversationView }) {
  const { t, lang, item } = props
  const body = item.lastMessageBody
  return (
    <li class={item.unread > 0 ? 'conversation unread' : 'conversation'}>
      <Avatar email={item.other.email} size={48} username={item.other.username} />
      <div class="conversation-main">
        <p class="conversation-meta">
          <a class="author" href={threadUrl(item.other.username)}>
            {item.other.username}
          </a>
          <span aria-hidden="true"> · </span>
          <RelativeTime at={item.lastMessageAt} lang={lang} />
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

function ConversationPageJsx(props: { t: Translate; lang: Lang; viewerId: number; page: Page<ConversationView> }) {
  const { t, page } = props
  return (
    <>
      {page.items.map((item) => (
        <ConversationItemJsx t={t} lang={props.lang} viewerId={props.viewerId} item={item} />
      ))}
      {page.next ? (
        <li class="more-item">
          <MoreLink next={page.next} baseUrl="/messages" label={t('messages.more')} />
        </li>
      ) : null}
    </>
  )
}

function MessageItemJsx(props: { t: Translate; lang: Lang; message: MessageView; mine: boolean }) {
  const { t, lang, message } = props
  return (
    <li id={`message-${message.id}`} class={props.mine ? 'message mine' : 'message theirs'}>
      <PostBody body={message.body} />
      <div class="message-meta">
        <RelativeTime at={message.createdAt} lang={lang} />
        {props.mine ? (
          <form
            method="post"
            action={`/message/${message.id}/delete`}
            class="inline-form"
            data-hx-post={`/message/${message.id}/delete`}
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

function ThreadMessagesJsx(props: {
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
      {page.items.map((message) => (
        <MessageItemJsx t={t} lang={lang} message={message} mine={message.senderId === props.viewerId} />
      ))}
    </>
  )
}

function render(node: Child, userId: number | undefined): string {
  const c = {
    get: (key: string) => (key === 'user' && userId !== undefined ? { id: userId } : null),
  } as unknown as Context
  return String(<RequestContext.Provider value={c}>{node}</RequestContext.Provider>)
}

const VIEWER = 7
const others: Member[] = [
  { id: 8, username: 'ana', email: 'Ana@Example.com' },
  { id: 9, username: 'bé"o<b>', email: 'x@example.com' },
  { id: 10, username: 'Ünïcode', email: 'u@example.com' },
]
const conversations: ConversationView[] = [
  {
    id: 1,
    other: others[0]!,
    lastMessageBody: 'Plain text.',
    lastSenderId: 8,
    lastMessageAt: Date.UTC(2026, 0, 2, 3, 4),
    unread: 3,
  },
  {
    id: 2,
    other: others[1]!,
    lastMessageBody: `<script>alert("x")</script> & 'quotes' — ${'long '.repeat(20)}`,
    lastSenderId: VIEWER,
    lastMessageAt: Date.UTC(2025, 11, 31, 23, 59),
    unread: 0,
  },
  {
    id: 3,
    other: others[2]!,
    lastMessageBody: null,
    lastSenderId: null,
    lastMessageAt: Date.UTC(2024, 5, 6),
    unread: 1,
  },
  {
    id: 4,
    other: others[0]!,
    lastMessageBody: '日本語のテキスト 🎉'.repeat(8),
    lastSenderId: 8,
    lastMessageAt: 0,
    unread: 0,
  },
]
const messages: MessageView[] = [
  {
    id: 11,
    senderId: VIEWER,
    recipientId: 8,
    body: 'mine, with https://example.com/a?b=1&c=<2>',
    createdAt: Date.UTC(2026, 0, 2),
  },
  { id: 12, senderId: 8, recipientId: VIEWER, body: `<b>theirs</b> & "quoted"`, createdAt: Date.UTC(2026, 0, 3) },
  { id: 13, senderId: VIEWER, recipientId: 8, body: '日本語 🎉', createdAt: Date.UTC(2026, 0, 4) },
]

describe('messages views (html templates)', () => {
  it('write the same bytes as the JSX they replaced: inbox items and pages, both languages', () => {
    let compared = 0
    for (const lang of ['en', 'es'] as const) {
      const t = createTranslator(lang)
      for (const next of [null, '1735693100000-36']) {
        const page = { items: conversations, next }
        const props = { t, lang, viewerId: VIEWER, page }
        expect(render(<ConversationPage {...props} />, VIEWER)).toBe(render(<ConversationPageJsx {...props} />, VIEWER))
        compared++
      }
      for (const count of [0, 1, 59]) {
        for (const oob of [undefined, false, true]) {
          expect(render(<UnreadBadge t={t} count={count} oob={oob} />, VIEWER)).toBe(
            render(<UnreadBadgeJsx t={t} count={count} oob={oob} />, VIEWER),
          )
          compared++
        }
      }
    }
    expect(compared).toBe(22)
  })

  it('write the same bytes as the JSX they replaced: thread pages, own and others’ messages, with and without the older-page loader', () => {
    let compared = 0
    for (const lang of ['en', 'es'] as const) {
      const t = createTranslator(lang)
      for (const other of others) {
        for (const next of [null, '1735689600055-56']) {
          for (const userId of [VIEWER, undefined]) {
            const props = { t, lang, viewerId: VIEWER, other, page: { items: messages, next } }
            expect(render(<ThreadMessages {...props} />, userId)).toBe(render(<ThreadMessagesJsx {...props} />, userId))
            compared++
          }
        }
      }
    }
    expect(compared).toBe(24)
  })

  it('escape user text in text and attributes', () => {
    const t = createTranslator('en')
    const inbox = render(
      <ConversationPage t={t} lang="en" viewerId={VIEWER} page={{ items: conversations, next: null }} />,
      VIEWER,
    )
    expect(inbox).not.toContain('<script>')
    expect(inbox).toContain('href="/messages/b%C3%A9%22o%3Cb%3E"')
    expect(inbox).toContain('>bé&quot;o&lt;b&gt;</a>')
    const thread = render(
      <ThreadMessages t={t} lang="en" viewerId={VIEWER} other={others[1]!} page={{ items: messages, next: '1-2' }} />,
      VIEWER,
    )
    expect(thread).not.toContain('<b>theirs')
    expect(thread).toContain('href="/messages/b%C3%A9%22o%3Cb%3E?before=1-2"')
  })
})
