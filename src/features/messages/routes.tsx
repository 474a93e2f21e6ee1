import { Hono, type Context } from 'hono'
import { runBatch, runStatement } from '../../db/read'
import type { AppEnv } from '../../env'
import { parseCursor } from '../../lib/cursor'
import { cursorFrom } from '../../middleware/paging'
import { setFlash } from '../../middleware/flash'
import { readForm, validateForm } from '../../lib/forms'
import { isHtmxFragmentRequest } from '../../middleware/htmx'
import { HttpError } from '../../lib/http-error'
import { hitRateLimit } from '../../middleware/rate-limit'
import { deferSession, requireUser, toLogin, withSessionBatch } from '../../middleware/session'
import { ErrorFragment, ErrorPage } from '../../views/errors'
import { notifyMembers } from '../live/notify'
import { runtimeOf } from '../../middleware/runtime'
import { getUserById, getUserByUsername, userByUsernameRead } from '../users/queries'
import { deleteOwnMessage, markThreadRead, sendMessage } from './actions'
import { getMessageById, inboxRead, threadRead } from './queries'
import { MESSAGE_RATE_LIMITS, messageSchema } from './schemas'
import { ConversationPage, InboxPage, MessageSent, MessageForm, ThreadMessages, ThreadPage } from './views'

export const messagesRoutes = new Hono<AppEnv>()

messagesRoutes.use('/messages', requireUser)
messagesRoutes.use('/messages/*', requireUser)
messagesRoutes.use('/message/*', requireUser)

/**
 * The other member of a thread. Unknown → 404; yourself → a 422 that says why (there is
 * no conversation with yourself), as a page or as an htmx fragment.
 */
async function otherFromPath(c: Context<AppEnv>) {
  const other = await getUserByUsername(c.var.db, c.req.param('username') ?? '')
  if (!other) throw new HttpError(404, 'errors.userNotFound')
  return other
}

function notYourself(c: Context<AppEnv>) {
  const { t } = c.var
  c.status(422)
  const message = t('messages.notYourself')
  if (isHtmxFragmentRequest(c)) return c.html(<ErrorFragment status={422} t={t} message={message} />)
  return c.render(<ErrorPage status={422} t={t} message={message} />, { title: t('messages.title') })
}

// One D1 round trip: the session and the inbox page (conversations joined to their other
// members) in one batch (deferSession).
messagesRoutes.get('/messages', deferSession, async (c) => {
  const before = cursorFrom(c)
  const [page] = await withSessionBatch(c, (me) => [me ? inboxRead(c.var.db, me, { before }) : null])
  const user = c.var.user
  if (!user || !page) return toLogin(c)
  const { t, lang } = c.var
  c.header('Vary', 'HX-Request')
  c.header('Cache-Control', 'private, no-store')
  if (isHtmxFragmentRequest(c)) return c.html(<ConversationPage t={t} lang={lang} viewerId={user.id} page={page} />)
  return c.render(<InboxPage t={t} lang={lang} viewerId={user.id} page={page} />, { title: t('messages.title') })
})

// One D1 round trip: the session, the other member, the thread page and — for the newest
// page as a full page — marking it read (badge and conversation row), all in one batch.
messagesRoutes.get('/messages/:username', deferSession, async (c) => {
  const name = c.req.param('username')
  const cursor = parseCursor(c.req.query('before'))
  const before = cursor.ok ? cursor.cursor : null
  // Reading the thread marks it read: one conversation row and the badge.
  const markRead = cursor.ok && before === null && !isHtmxFragmentRequest(c)
  const now = Date.now()
  const db = c.get('db')
  const [other, page, badge] = await withSessionBatch(c, (me) => {
    // Without a cookie (requireUser lets none through) only the member is read.
    const them = { username: name }
    const [marked, markSide] = me ? markThreadRead(db, me, them, now) : [null, null]
    return [
      userByUsernameRead(db, name),
      me && cursor.ok ? threadRead(db, { viewer: me, other: them }, { before }) : null,
      markRead ? marked : null,
      markRead ? markSide : null,
    ]
  })
  const user = c.var.user
  if (!user) return toLogin(c)
  if (!other) throw new HttpError(404, 'errors.userNotFound')
  if (other.id === user.id) return notYourself(c)
  if (!page) throw new HttpError(400, 'errors.badCursor')
  const { t, lang } = c.var
  c.header('Vary', 'HX-Request')
  c.header('Cache-Control', 'private, no-store')
  if (isHtmxFragmentRequest(c)) {
    return c.html(<ThreadMessages t={t} lang={lang} viewerId={user.id} other={other} page={page} />)
  }
  if (badge !== null) {
    user.unreadMessageCount = badge
    // Other tabs of the reader update their badge.
    notifyMembers(runtimeOf(c), [{ userId: user.id, event: { type: 'unread', count: badge } }])
  }
  return c.render(<ThreadPage t={t} lang={lang} viewerId={user.id} other={other} page={page} />, {
    title: t('messages.threadTitle', { username: other.username }),
  })
})

messagesRoutes.post('/messages/:username', async (c) => {
  const { db, t, lang } = c.var
  const user = c.var.user!
  const other = await otherFromPath(c)
  if (other.id === user.id) return notYourself(c)
  const form = await readForm(c.req)
  const htmx = isHtmxFragmentRequest(c)
  c.header('Vary', 'HX-Request')

  const again = async (status: 422 | 429, error: string) => {
    c.status(status)
    if (htmx) {
      // htmx swaps a 429 into the page's message area (layout.tsx): say why there, and
      // leave the form — and the typed text — as it is.
      if (status === 429) return c.html(<ErrorFragment status={429} t={t} message={error} />)
      return c.html(<MessageForm t={t} other={other} value={form.body ?? ''} error={error} />)
    }
    const page = await runStatement(
      threadRead(db, { viewer: { id: user.id }, other: { id: other.id } }, { before: null }),
    )
    return c.render(
      <ThreadPage
        t={t}
        lang={lang}
        viewerId={user.id}
        other={other}
        page={page}
        value={form.body ?? ''}
        error={error}
      />,
      { title: t('messages.threadTitle', { username: other.username }) },
    )
  }

  const parsed = validateForm(messageSchema, form)
  if (!parsed.ok) return again(422, t(parsed.errors.body ?? 'forms.invalid'))

  // Per sender: a burst window and a daily cap. Only valid messages count.
  for (const [name, rule] of Object.entries(MESSAGE_RATE_LIMITS)) {
    const state = await hitRateLimit(db, `messages:${name}:${user.id}`, rule)
    if (state.limited) {
      c.header('Retry-After', String(state.retryAfterSeconds))
      return again(429, t('messages.tooMany'))
    }
  }

  const { message, recipientUnread } = await sendMessage(db, user.id, other.id, parsed.data.body)
  notifyMembers(runtimeOf(c), [
    {
      userId: other.id,
      event: {
        type: 'message',
        from: { id: user.id, username: user.username, email: user.email },
        message,
        unread: recipientUnread,
      },
    },
  ])
  if (htmx) return c.html(<MessageSent t={t} lang={lang} other={other} message={message} />)
  setFlash(c, 'messages.sent')
  return c.redirect(`/messages/${encodeURIComponent(other.username)}`, 303)
})

/**
 * Marks a thread read while it is open (the live channel appended a message to it): the
 * other member and both writes in one batch (the writes find nothing for an unknown
 * member or yourself).
 */
messagesRoutes.post('/messages/:username/read', async (c) => {
  const { db } = c.var
  const user = c.var.user!
  const name = c.req.param('username')
  const [marked, markSide] = markThreadRead(db, { id: user.id }, { username: name }, Date.now())
  const [other, unread] = await runBatch(db, [userByUsernameRead(db, name), marked, markSide])
  if (!other) throw new HttpError(404, 'errors.userNotFound')
  if (other.id === user.id) return notYourself(c)
  if (unread !== null) notifyMembers(runtimeOf(c), [{ userId: user.id, event: { type: 'unread', count: unread } }])
  if (isHtmxFragmentRequest(c)) return c.body(null, 204)
  return c.redirect(`/messages/${encodeURIComponent(other.username)}`, 303)
})

/** Deletes a message you sent — for both members. Someone else's → 403. */
messagesRoutes.post('/message/:id/delete', async (c) => {
  const { db } = c.var
  const user = c.var.user!
  const id = Number(c.req.param('id'))
  if (!Number.isSafeInteger(id) || id <= 0) throw new HttpError(404, 'messages.notFound')
  const message = await getMessageById(db, id)
  if (!message) throw new HttpError(404, 'messages.notFound')
  if (message.senderId !== user.id) throw new HttpError(403, 'messages.notYours')
  const result = await deleteOwnMessage(db, user.id, message)
  if (!result.deleted) throw new HttpError(404, 'messages.notFound')
  notifyMembers(runtimeOf(c), [
    {
      userId: message.recipientId,
      event: { type: 'message-deleted', messageId: message.id, unread: result.recipientUnread },
    },
  ])
  if (isHtmxFragmentRequest(c)) return c.body('', 200)
  setFlash(c, 'messages.deleted')
  const recipient = await getUserById(db, message.recipientId)
  return c.redirect(recipient ? `/messages/${encodeURIComponent(recipient.username)}` : '/messages', 303)
})
