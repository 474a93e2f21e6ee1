import { describe, expect, it } from 'vitest'
import type { LiveEvent } from '../../src/features/live/events'
import type { ConversationView, MessageView } from '../../src/features/messages/queries'
import {
  ConversationPage,
  messageDeletedEvent,
  messageEvent,
  ThreadMessages,
  UnreadBadge,
  unreadEvent,
} from '../../src/features/messages/views'
import { createTranslator } from '../../src/lib/i18n'
import { element, elements, render, renderFragment, tag, tags, text } from './markup'

type Member = { id: number; username: string; email: string }

const VIEWER = 7
const others: Member[] = [
  { id: 8, username: 'ana', email: 'Ana@Example.com' },
  { id: 9, username: 'bé"o<b>', email: 'x@example.com' },
]
const conversation = (extra: Partial<ConversationView>): ConversationView => ({
  id: 1,
  other: others[0]!,
  lastMessageBody: 'Plain text.',
  lastSenderId: 8,
  lastMessageAt: Date.UTC(2026, 0, 2, 3, 4),
  unread: 0,
  ...extra,
})
const messages: MessageView[] = [
  {
    id: 11,
    senderId: VIEWER,
    recipientId: 8,
    body: 'mine, https://example.com/a?b=1',
    createdAt: Date.UTC(2026, 0, 2),
  },
  { id: 12, senderId: 8, recipientId: VIEWER, body: `<b>theirs</b> & "quoted"`, createdAt: Date.UTC(2026, 0, 3) },
]
const en = createTranslator('en')
const es = createTranslator('es')

/** The HTML a live event sends to a socket in `lang` (it must be a plain fragment). */
function pushed(event: LiveEvent, lang: 'en' | 'es' = 'en'): string {
  if (event.type !== 'fragment') throw new Error(`a fragment event, not ${event.type}`)
  return event.html[lang]
}

describe('the unread badge', () => {
  it('is always there (hidden at zero) so the live channel can swap it by id; the count is spelled out for screen readers', () => {
    const zero = tag(render(<UnreadBadge t={en} count={0} />), 'span', { id: 'unread-badge' }).attrs
    expect(zero).toEqual({ id: 'unread-badge', class: 'badge', hidden: '', 'data-count': '0' })
    const html = render(<UnreadBadge t={es} count={59} oob />)
    expect(tag(html, 'span', { id: 'unread-badge' }).attrs).toEqual({
      id: 'unread-badge',
      class: 'badge',
      'data-count': '59',
      'data-hx-swap-oob': 'true',
    })
    expect(html).toContain('<span aria-hidden="true">59</span><span class="sr-only">59 mensajes sin leer</span>')
  })
})

describe('the inbox', () => {
  it('lists one item per conversation: the other member, the time, the unread count, the last message', () => {
    const page = {
      items: [conversation({ unread: 3 }), conversation({ id: 2, other: others[1]!, lastSenderId: VIEWER })],
      next: null,
    }
    const html = render(<ConversationPage t={en} lang="en" viewerId={VIEWER} page={page} />, VIEWER)
    const items = tags(html, 'li')
    expect(items.map((li) => li.attrs.class)).toEqual(['conversation unread', 'conversation'])
    expect(tags(html, 'a', { class: 'author' }).map((a) => a.attrs.href)).toEqual([
      '/messages/ana',
      '/messages/b%C3%A9%22o%3Cb%3E',
    ])
    expect(html).toContain('>bé&quot;o&lt;b&gt;</a>')
    expect(html).toContain(`<span class="badge">${en('messages.unread', { count: 3 })}</span>`)
    expect(tags(html, 'span', { class: 'badge' })).toHaveLength(1)
    expect(tags(html, 'time')).toHaveLength(2)
    const last = elements(html, 'p', { class: 'conversation-last' }).map(text)
    expect(last).toEqual(['Plain text.', en('messages.you', { body: 'Plain text.' })])
    expect(html).not.toContain('more-item')
  })

  it('cuts a long last message at 60 characters (not in the middle of one), escapes it, and says when there is none', () => {
    const long = `<script>alert("x")</script> ${'🎉'.repeat(60)}`
    const html = render(
      <ConversationPage
        t={en}
        lang="en"
        viewerId={VIEWER}
        page={{
          items: [conversation({ lastMessageBody: long }), conversation({ lastMessageBody: null, lastSenderId: null })],
          next: null,
        }}
      />,
    )
    expect(html).not.toContain('<script>')
    const [first, second] = elements(html, 'p', { class: 'conversation-last' }).map(text)
    expect(first).toBe(`${[...long].slice(0, 60).join('')}…`)
    expect(second).toBe(en('messages.noMessages'))
  })

  it('ends with the loader of the next page inside the list', () => {
    const html = render(
      <ConversationPage t={en} lang="en" viewerId={VIEWER} page={{ items: [conversation({})], next: '17-36' }} />,
    )
    const more = element(html, 'li', { class: 'more-item' })
    expect(tag(more, 'div', { class: 'more' }).attrs['data-hx-get']).toBe('/messages?before=17-36')
  })
})

describe('a thread', () => {
  it('shows each message as #message-<id>, mine with a Delete form that removes it in place', () => {
    const html = render(
      <ThreadMessages t={en} lang="en" viewerId={VIEWER} other={others[0]!} page={{ items: messages, next: null }} />,
      VIEWER,
    )
    expect(tags(html, 'li').map((li) => [li.attrs.id, li.attrs.class])).toEqual([
      ['message-11', 'message mine'],
      ['message-12', 'message theirs'],
    ])
    const mine = element(html, 'li', { id: 'message-11' })
    expect(tag(mine, 'form').attrs).toMatchObject({
      method: 'post',
      action: '/message/11/delete',
      'data-hx-post': '/message/11/delete',
      'data-hx-target': '#message-11',
      'data-hx-swap': 'outerHTML',
    })
    expect(mine).toContain(`name="as_user" value="${VIEWER}"`)
    expect(tag(mine, 'a').attrs.rel).toBe('nofollow noopener ugc')
    const theirs = element(html, 'li', { id: 'message-12' })
    expect(theirs).not.toContain('<form')
    expect(theirs).not.toContain('<b>theirs')
    expect(theirs).toContain('&lt;b&gt;theirs&lt;/b&gt; &amp; &quot;quoted&quot;')
    expect(html).not.toContain('class="older"')
  })

  it('loads older messages above when scrolled to (htmx), or with a link', () => {
    const html = render(
      <ThreadMessages t={en} lang="en" viewerId={VIEWER} other={others[1]!} page={{ items: messages, next: '1-2' }} />,
    )
    const older = tag(html, 'li', { class: 'older' })
    expect(older.at).toBe(0)
    expect(older.attrs).toMatchObject({
      'data-hx-get': '/messages/b%C3%A9%22o%3Cb%3E?before=1-2',
      'data-hx-trigger': 'intersect once',
      'data-hx-swap': 'outerHTML',
    })
    expect(html).toContain('href="/messages/b%C3%A9%22o%3Cb%3E?before=1-2"')
  })
})

describe('what the live channel pushes for messages', () => {
  it('the badge alone, out of band, in each language', () => {
    const event = unreadEvent(4)
    expect(tag(pushed(event), 'span', { id: 'unread-badge' }).attrs).toMatchObject({
      id: 'unread-badge',
      'data-count': '4',
      'data-hx-swap-oob': 'true',
    })
    expect(pushed(event, 'es')).toContain('4 mensajes sin leer')
    expect(pushed(unreadEvent(0))).toMatch(/<span id="unread-badge" class="badge" hidden="" data-count="0"/)
  })

  it('a new message: the badge, and the message appended to an open thread with the sender, which marks it read', () => {
    const from = { id: 9, username: 'bé"o<b>', email: 'x@example.com' }
    const html = pushed(messageEvent({ from, message: messages[1]!, unread: 1 }))
    expect(html).toMatch(/^<span id="unread-badge" class="badge" data-count="1" data-hx-swap-oob="true">/)
    const list = element(html, 'ol')
    expect(tag(list, 'ol').attrs['data-hx-swap-oob']).toBe('beforeend:#thread-9')
    expect(tag(list, 'li', { id: 'message-12' }).attrs.class).toBe('message theirs')
    expect(list).not.toContain('<b>theirs')
    expect(tag(list, 'li', { class: 'mark-read' }).attrs).toEqual({
      class: 'mark-read',
      hidden: '',
      'data-hx-post': '/messages/b%C3%A9%22o%3Cb%3E/read',
      'data-hx-trigger': 'load',
      'data-hx-swap': 'delete',
    })
  })

  it('a deleted message: removed from an open thread by id, and the badge', () => {
    const html = pushed(messageDeletedEvent(12, 0), 'es')
    expect(html).toContain('<li id="message-12" data-hx-swap-oob="delete"></li>')
    expect(tag(html, 'span', { id: 'unread-badge' }).attrs).toMatchObject({ 'data-count': '0', hidden: '' })
    expect(html).toContain('0 mensajes sin leer')
  })

  it('renders nothing that depends on a page: no session guard field in a pushed message', () => {
    const mine = renderFragment(
      <ThreadMessages t={en} lang="en" viewerId={VIEWER} other={others[0]!} page={{ items: messages, next: null }} />,
    )
    expect(mine).not.toContain('as_user')
  })
})
