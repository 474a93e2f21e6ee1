import { createRoute, type OpenAPIHono } from '@hono/zod-openapi'
import { detectPostLanguage } from '../../lib/language-detect'
import { listFollowerIds } from '../follows/queries'
import { LIVE_FANOUT_MAX, notifyLater } from '../live/notify'
import {
  createPost,
  deletePost,
  getPostById,
  listExplorePosts,
  listHomeTimeline,
  listUserPosts,
} from '../posts/queries'
import { fanoutOf } from '../posts/fanout'
import { getMemberById } from '../users/queries'
import { ApiError, errorResponses } from './errors'
import { requireToken, type ApiEnv } from './middleware'
import { pageJson, pageParams, postJson } from './represent'
import { idParams, jsonResponse, newPostSchema, pageQuery, postJsonSchema, postPageSchema } from './schemas'

const create = createRoute({
  method: 'post',
  path: '/posts',
  tags: ['Posts'],
  summary: 'Post (1–140 characters)',
  security: [{ bearer: [] }],
  middleware: [requireToken] as const,
  request: { body: { content: { 'application/json': { schema: newPostSchema } }, required: true } },
  responses: { 201: jsonResponse(postJsonSchema, 'The new post'), ...errorResponses(400, 401, 413, 415, 422) },
})

const getOne = createRoute({
  method: 'get',
  path: '/posts/{id}',
  tags: ['Posts'],
  summary: 'A post',
  request: { params: idParams },
  responses: { 200: jsonResponse(postJsonSchema, 'The post'), ...errorResponses(400, 401, 404) },
})

const remove = createRoute({
  method: 'delete',
  path: '/posts/{id}',
  tags: ['Posts'],
  summary: 'Delete one of your posts',
  security: [{ bearer: [] }],
  middleware: [requireToken] as const,
  request: { params: idParams },
  responses: { 204: { description: 'Deleted' }, ...errorResponses(400, 401, 403, 404) },
})

const byUser = createRoute({
  method: 'get',
  path: '/users/{id}/posts',
  tags: ['Posts'],
  summary: "A member's posts, newest first",
  request: { params: idParams, query: pageQuery },
  responses: { 200: jsonResponse(postPageSchema, 'A page of posts'), ...errorResponses(400, 401, 404) },
})

const timeline = createRoute({
  method: 'get',
  path: '/timeline',
  tags: ['Posts'],
  summary: 'Your home timeline: your posts and those of the people you follow',
  security: [{ bearer: [] }],
  middleware: [requireToken] as const,
  request: { query: pageQuery },
  responses: { 200: jsonResponse(postPageSchema, 'A page of posts'), ...errorResponses(400, 401) },
})

const explore = createRoute({
  method: 'get',
  path: '/explore',
  tags: ['Posts'],
  summary: "Every member's posts, newest first",
  request: { query: pageQuery },
  responses: { 200: jsonResponse(postPageSchema, 'A page of posts'), ...errorResponses(400, 401) },
})

export function registerPostRoutes(api: OpenAPIHono<ApiEnv>) {
  api.openapi(create, async (c) => {
    const { body } = c.req.valid('json')
    const post = await createPost(
      c.var.db,
      c.var.user!,
      body,
      await detectPostLanguage(body),
      Date.now(),
      crypto.randomUUID(),
      fanoutOf(c.env),
    )
    // As from the form: followers' open home timelines show "N new posts" (after the answer).
    notifyLater(c, async () =>
      (await listFollowerIds(c.var.db, post.author.id, LIVE_FANOUT_MAX)).map((userId) => ({
        userId,
        event: { type: 'post' as const },
      })),
    )
    c.header('Location', `/api/posts/${post.id}`)
    return c.json(postJson(post), 201)
  })

  api.openapi(getOne, async (c) => {
    const post = await getPostById(c.var.db, c.req.valid('param').id)
    if (!post) throw new ApiError(404, 'posts.notFound')
    return c.json(postJson(post), 200)
  })

  api.openapi(remove, async (c) => {
    // The site's own delete (posts/queries.ts): timelines, translations and the count in one batch.
    const result = await deletePost(c.var.db, c.req.valid('param').id, c.var.user!.id, fanoutOf(c.env))
    if (!result.ok && result.reason === 'not-found') throw new ApiError(404, 'posts.notFound')
    if (!result.ok) throw new ApiError(403, 'posts.notYours')
    return c.body(null, 204)
  })

  api.openapi(byUser, async (c) => {
    const user = await getMemberById(c.var.db, c.req.valid('param').id)
    if (!user) throw new ApiError(404, 'errors.userNotFound')
    const { limit, before } = pageParams(c.req.valid('query'))
    const page = await listUserPosts(c.var.db, user.id, { before, limit })
    return c.json(pageJson(`/api/users/${user.id}/posts`, limit, before, page, postJson), 200)
  })

  api.openapi(timeline, async (c) => {
    const { limit, before } = pageParams(c.req.valid('query'))
    const page = await listHomeTimeline(c.var.db, c.var.user!.id, { before, limit })
    return c.json(pageJson('/api/timeline', limit, before, page, postJson), 200)
  })

  api.openapi(explore, async (c) => {
    const { limit, before } = pageParams(c.req.valid('query'))
    const page = await listExplorePosts(c.var.db, { before, limit })
    return c.json(pageJson('/api/explore', limit, before, page, postJson), 200)
  })
}
