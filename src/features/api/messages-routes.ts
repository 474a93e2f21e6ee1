import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi'
import type { Context } from 'hono'
import type { User } from '../../db/schema'
import { runtimeOf } from '../../middleware/runtime'
import { deleteSentMessage, markThreadRead, sendMessageTo } from '../messages/actions'
import {
  getConversationSide,
  listConversations,
  listThreadMessages,
  type ConversationView,
  type MessageView,
} from '../messages/queries'
import { messageSchema } from '../messages/schemas'
import { getUserByUsername } from '../users/queries'
import { ApiError, errorResponses } from './errors'
import { requireToken, type ApiEnv } from './middleware'
import { pageJson, pageParams, userSummaryJson } from './represent'
import { idParam, isoTime, jsonResponse, link, pageOf, pageQuery, userSummarySchema } from './schemas'

/** Private messages for the bearer of the token: inbox, thread, send, delete own. */

const messageJsonSchema = z
  .strictObject({
    id: z.number().int(),
    body: z.string(),
    created_at: isoTime,
    sender_id: z.number().int(),
    recipient_id: z.number().int(),
    _links: z.strictObject({ self: link, thread: link, sender: link }),
  })
  .openapi('Message')

const conversationSchema = z
  .strictObject({
    id: z.number().int(),
    other: userSummarySchema,
    last_message: z.string().nullable(),
    last_sender_id: z.number().int().nullable(),
    last_message_at: isoTime,
    unread: z.number().int(),
    _links: z.strictObject({ thread: link }),
  })
  .openapi('Conversation')

const usernameParam = z
  .string()
  .max(64)
  .openapi({ param: { name: 'username', in: 'path', required: true }, example: 'susan' })

const threadPath = (username: string) => `/api/messages/${encodeURIComponent(username)}`

function messageJson(message: MessageView, thread: string) {
  return {
    id: message.id,
    body: message.body,
    created_at: new Date(message.createdAt).toISOString(),
    sender_id: message.senderId,
    recipient_id: message.recipientId,
    _links: { self: `${thread}/${message.id}`, thread, sender: `/api/users/${message.senderId}` },
  }
}

function conversationJson(row: ConversationView) {
  return {
    id: row.id,
    other: userSummaryJson(row.other),
    last_message: row.lastMessageBody,
    last_sender_id: row.lastSenderId,
    last_message_at: new Date(row.lastMessageAt).toISOString(),
    unread: row.unread,
    _links: { thread: threadPath(row.other.username) },
  }
}

const inbox = createRoute({
  tags: ['Messages'],
  security: [{ bearer: [] }],
  middleware: [requireToken] as const,
  method: 'get',
  path: '/messages',
  summary: 'Your conversations, most recent activity first',
  request: { query: pageQuery },
  responses: {
    200: jsonResponse(pageOf(conversationSchema, 'ConversationPage'), 'A page of conversations'),
    ...errorResponses(400, 401),
  },
})

const thread = createRoute({
  tags: ['Messages'],
  security: [{ bearer: [] }],
  middleware: [requireToken] as const,
  method: 'get',
  path: '/messages/{username}',
  summary: 'A thread, newest page first (oldest first within a page); the first page marks it read',
  request: { params: z.object({ username: usernameParam }), query: pageQuery },
  responses: {
    200: jsonResponse(pageOf(messageJsonSchema, 'MessagePage'), 'A page of messages'),
    ...errorResponses(400, 401, 404, 422),
  },
})

const send = createRoute({
  tags: ['Messages'],
  security: [{ bearer: [] }],
  middleware: [requireToken] as const,
  method: 'post',
  path: '/messages/{username}',
  summary: 'Send a private message (1–140 characters)',
  request: {
    params: z.object({ username: usernameParam }),
    body: {
      content: { 'application/json': { schema: z.object({ body: messageSchema.shape.body }).openapi('NewMessage') } },
      required: true,
    },
  },
  responses: { 201: jsonResponse(messageJsonSchema, 'The message'), ...errorResponses(400, 401, 404, 413, 415, 422) },
})

const remove = createRoute({
  tags: ['Messages'],
  security: [{ bearer: [] }],
  middleware: [requireToken] as const,
  method: 'delete',
  path: '/messages/{username}/{id}',
  summary: 'Delete a message you sent (for both members)',
  request: { params: z.object({ username: usernameParam, id: idParam('id') }) },
  responses: { 204: { description: 'Deleted' }, ...errorResponses(400, 401, 403, 404) },
})

async function otherMember(c: Context<ApiEnv>, username: string): Promise<User> {
  const other = await getUserByUsername(c.var.db, username)
  if (!other) throw new ApiError(404, 'errors.userNotFound')
  if (other.id === c.var.user!.id) throw new ApiError(422, 'messages.notYourself')
  return other
}

export function registerMessageRoutes(api: OpenAPIHono<ApiEnv>) {
  api.openapi(inbox, async (c) => {
    const { limit, before } = pageParams(c.req.valid('query'))
    const page = await listConversations(c.var.db, c.var.user!.id, { before, limit })
    return c.json(pageJson('/api/messages', limit, before, page, conversationJson), 200)
  })

  api.openapi(thread, async (c) => {
    const me = c.var.user!
    const other = await otherMember(c, c.req.valid('param').username)
    const { limit, before } = pageParams(c.req.valid('query'))
    const conversation = await getConversationSide(c.var.db, me.id, other.id)
    const page = conversation
      ? await listThreadMessages(c.var.db, conversation.id, { before, limit })
      : { items: [], next: null }
    // Like the page: reading the newest messages marks the thread read (badge included).
    if (conversation && before === null && conversation.unread > 0) {
      await markThreadRead(c.var.db, runtimeOf(c), me, other.username)
    }
    const path = threadPath(other.username)
    return c.json(
      pageJson(path, limit, before, page, (m) => messageJson(m, path)),
      200,
    )
  })

  api.openapi(send, async (c) => {
    const me = c.var.user!
    const other = await otherMember(c, c.req.valid('param').username)
    const sent = await sendMessageTo(c.var.db, runtimeOf(c), me, other, c.req.valid('json').body)
    if (!sent.ok && sent.error === 'yourself') throw new ApiError(422, 'messages.notYourself')
    if (!sent.ok) throw new ApiError(429, 'messages.tooMany', { headers: { 'Retry-After': String(sent.retryAfter) } })
    const json = messageJson(sent.message, threadPath(other.username))
    c.header('Location', json._links.self)
    return c.json(json, 201)
  })

  api.openapi(remove, async (c) => {
    const me = c.var.user!
    const { username, id } = c.req.valid('param')
    const other = await otherMember(c, username)
    const deleted = await deleteSentMessage(c.var.db, runtimeOf(c), me, id, { inThreadWith: other.id })
    if (!deleted.ok && deleted.error === 'not-yours') throw new ApiError(403, 'messages.notYours')
    if (!deleted.ok) throw new ApiError(404, 'messages.notFound')
    return c.body(null, 204)
  })
}
