import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi'
import type { Context } from 'hono'
import { runtimeOf } from '../../middleware/runtime'
import { deleteOwnPost, publishPost } from '../posts/actions'
import { getPostById, listExplorePosts, listHomeTimeline, listUserPosts } from '../posts/queries'
import { getMemberById } from '../users/queries'
import { ApiError, errorResponses } from './errors'
import { claimIdempotencyKey, IDEMPOTENCY_KEY_PATTERN, recordIdempotentPost, requestHash } from './idempotency'
import { requireToken, type ApiEnv } from './middleware'
import { pageJson, pageParams, postJson } from './represent'
import { idParams, jsonResponse, newPostSchema, pageQuery, postJsonSchema, postPageSchema } from './schemas'

const idempotencyHeaders = z.object({
  'idempotency-key': z
    .string()
    .regex(IDEMPOTENCY_KEY_PATTERN, 'api.error.idempotencyKey')
    .optional()
    .openapi({
      param: { name: 'idempotency-key', in: 'header' },
      description:
        'Optional, 1–255 visible ASCII characters (a UUID is a good choice). Sending the same ' +
        'request again with the same key (from the same token, within 24 hours) answers the ' +
        'first post again instead of posting twice.',
      example: '5b0f9d2e-8c1a-4f7e-9a63-2d4c1e7b8a90',
    }),
})

const create = createRoute({
  method: 'post',
  path: '/posts',
  tags: ['Posts'],
  summary: 'Post (1–140 characters)',
  description:
    'With an `Idempotency-Key`, a retry gets the same 201 answer (the same post, with ' +
    '`Idempotent-Replayed: true`) and makes nothing twice, even when the tries race; the same ' +
    'key with another body is a 422, and a key whose post has been deleted since is a 409.',
  security: [{ bearer: [] }],
  middleware: [requireToken] as const,
  request: {
    headers: idempotencyHeaders,
    body: { content: { 'application/json': { schema: newPostSchema } }, required: true },
  },
  responses: {
    201: {
      ...jsonResponse(postJsonSchema, 'The new post (or, for a repeated Idempotency-Key, the post it made)'),
      headers: {
        Location: { description: 'The post’s address.', schema: { type: 'string' } },
        'Idempotent-Replayed': {
          description: '`true` when this answers a repeated Idempotency-Key.',
          schema: { type: 'string', enum: ['true'] },
        },
      },
    },
    ...errorResponses(400, 401, 409, 413, 415, 422),
  },
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

/** The 201 of POST /api/posts, first time or replayed. */
function created<C extends Context>(c: C, json: ReturnType<typeof postJson>, replayed: boolean) {
  c.header('Location', `/api/posts/${json.id}`)
  if (replayed) c.header('Idempotent-Replayed', 'true')
  return c.json(json, 201)
}

export function registerPostRoutes(api: OpenAPIHono<ApiEnv>) {
  api.openapi(create, async (c) => {
    const { db } = c.var
    const { body } = c.req.valid('json')
    const key = c.req.valid('header')['idempotency-key']
    const tokenId = c.var.apiToken!.id
    let formKey: string | undefined
    if (key !== undefined) {
      const hash = requestHash({ body })
      const claim = await claimIdempotencyKey(db, tokenId, key, hash)
      if (claim.requestHash !== hash) throw new ApiError(422, 'api.error.idempotencyMismatch')
      if (claim.postId !== null) {
        const made = await getPostById(db, claim.postId)
        if (!made) throw new ApiError(409, 'api.error.idempotencyGone')
        return created(c, postJson(made), true)
      }
      formKey = claim.formKey
    }
    const { post, duplicate } = await publishPost(db, runtimeOf(c), c.var.user!, {
      body,
      formKey: formKey ?? crypto.randomUUID(),
    })
    if (key !== undefined && !duplicate) await recordIdempotentPost(db, tokenId, key, post.id)
    // A racing twin of this request made the post: answer it as a repeat.
    return created(c, postJson(post), duplicate)
  })

  api.openapi(getOne, async (c) => {
    const post = await getPostById(c.var.db, c.req.valid('param').id)
    if (!post) throw new ApiError(404, 'posts.notFound')
    return c.json(postJson(post), 200)
  })

  api.openapi(remove, async (c) => {
    const result = await deleteOwnPost(c.var.db, runtimeOf(c), c.var.user!, c.req.valid('param').id)
    if (!result.ok && result.error === 'not-found') throw new ApiError(404, 'posts.notFound')
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
