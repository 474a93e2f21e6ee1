import { Hono, type Context } from 'hono'
import { runStatement } from '../../db/read'
import type { AppEnv } from '../../env'
import { parseCursor } from '../../lib/cursor'
import { isOwnNavigation } from '../../lib/fetch-site'
import { cursorFrom } from '../../middleware/paging'
import { setFlash } from '../../middleware/flash'
import { readForm, validateForm } from '../../lib/forms'
import { isHtmxFragmentRequest } from '../../middleware/htmx'
import { HttpError } from '../../lib/http-error'
import { parsePathId } from '../../lib/path-id'
import { deferSession, requireUser, toLogin, withSessionBatch } from '../../middleware/session'
import { ErrorFragment, ErrorPage } from '../../views/errors'
import { runtimeOf } from '../../middleware/runtime'
import { getUserById, getUserByUsername, userByUsernameRead } from '../users/queries'
import { announceUnread, deleteSentMessage, markThreadRead, markThreadReadWrites, sendMessageTo } from './actions'
import { inboxRead, threadRead } from './queries'
import { messageSchema } from './schemas'
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
  // Reading the thread marks it read: one conversation row and the badge. Only when the
  // member opened it from our own pages (or typed it): a link on another site shows the
  // thread but must not clear the member's unread state behind their back.
  const fromOwnSite = isOwnNavigation(c.req.url, {
    secFetchSite: c.req.header('Sec-Fetch-Site'),
    referer: c.req.header('Referer'),
  })
  const markRead = cursor.ok && before === null && !isHtmxFragmentRequest(c) && fromOwnSite
  const now = Date.now()
  const db = c.get('db')
  const [other, page, badge] = await withSessionBatch(c, (me) => {
    // Without a cookie (requireUser lets none through) only the member is read.
    const them = { username: name }
    const [marked, markSide] = me ? markThreadReadWrites(db, me, them, now) : [null, null]
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
    announceUnread(runtimeOf(c), user.id, badge)
  }
  return c.render(<ThreadPage t={t} lang={lang} viewerId={user.id} other={other} page={page} />, {
    title: t('messages.threadTitle', { username: other.username }),
  })
})

messagesRoutes.post('/messages/:username', async (c) => {
  const { db, t, lang } = c.var
  const user = c.var.user!
  const other = await otherFromPath(c)
  // There is no thread with yourself to show the form in: say so before reading the form.
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

  const sent = await sendMessageTo(db, runtimeOf(c), user, other, parsed.data.body)
  if (!sent.ok) {
    if (sent.error === 'yourself') return notYourself(c)
    c.header('Retry-After', String(sent.retryAfter))
    return again(429, t('messages.tooMany'))
  }
  if (htmx) return c.html(<MessageSent t={t} lang={lang} other={other} message={sent.message} />)
  setFlash(c, 'messages.sent')
  return c.redirect(`/messages/${encodeURIComponent(other.username)}`, 303)
})

/** Marks a thread read while it is open (the live channel appended a message to it). */
messagesRoutes.post('/messages/:username/read', async (c) => {
  const marked = await markThreadRead(c.var.db, runtimeOf(c), c.var.user!, c.req.param('username'))
  if (!marked.ok && marked.error === 'yourself') return notYourself(c)
  if (!marked.ok) throw new HttpError(404, 'errors.userNotFound')
  if (isHtmxFragmentRequest(c)) return c.body(null, 204)
  return c.redirect(`/messages/${encodeURIComponent(marked.other.username)}`, 303)
})

/** Deletes a message you sent — for both members. Someone else's → 404, as for none. */
messagesRoutes.post('/message/:id/delete', async (c) => {
  const { db } = c.var
  const id = parsePathId(c.req.param('id'))
  if (id === null) throw new HttpError(404, 'messages.notFound')
  const deleted = await deleteSentMessage(db, runtimeOf(c), c.var.user!, id)
  // Someone else's message is answered as one that does not exist: a 403 would tell a
  // member probing ids which messages exist between other people.
  if (!deleted.ok) throw new HttpError(404, 'messages.notFound')
  if (isHtmxFragmentRequest(c)) return c.body('', 200)
  setFlash(c, 'messages.deleted')
  const recipient = await getUserById(db, deleted.message.recipientId)
  return c.redirect(recipient ? `/messages/${encodeURIComponent(recipient.username)}` : '/messages', 303)
})
