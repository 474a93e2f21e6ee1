import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi'
import type { MiddlewareHandler } from 'hono'
import type { MessageKey } from '../../lib/i18n'
import { ipBucket } from '../../lib/ip-bucket'
import { hashPassword } from '../../lib/password'
import { RATE_LIMITS, hitRateLimit } from '../../middleware/rate-limit'
import { createUser, getMemberById, getUserByUsername, listUsers, updateProfile } from '../users/queries'
import { ApiError, errorResponses } from './errors'
import { ipOf, requireToken, type ApiEnv } from './middleware'
import { pageJson, pageParams, userJson, userSummaryJson } from './represent'
import {
  idParams,
  jsonResponse as json,
  pageQuery,
  registerSchema,
  updateUserSchema,
  userPageSchema,
  userSchema,
} from './schemas'

const getUser = createRoute({
  method: 'get',
  path: '/users/{id}',
  tags: ['Users'],
  summary: 'A member',
  request: { params: idParams },
  responses: { 200: json(userSchema, 'The member'), ...errorResponses(400, 401, 404) },
})

const getUserByName = createRoute({
  method: 'get',
  path: '/users/by-username/{username}',
  tags: ['Users'],
  summary: 'A member, by username (case-insensitive)',
  request: {
    params: z.object({
      username: z
        .string()
        .max(64)
        .openapi({ param: { name: 'username', in: 'path', required: true }, example: 'susan' }),
    }),
  },
  responses: { 200: json(userSchema, 'The member'), ...errorResponses(400, 401, 404) },
})

const listAll = createRoute({
  method: 'get',
  path: '/users',
  tags: ['Users'],
  summary: 'Every member, newest first',
  request: { query: pageQuery },
  responses: { 200: json(userPageSchema, 'A page of members'), ...errorResponses(400, 401) },
})

/** Every attempt counts, valid or not, like the form's (checked before the body is validated). */
const registerLimit: MiddlewareHandler<ApiEnv> = async (c, next) => {
  const limit = await hitRateLimit(c.var.db, `register:ip:${ipBucket(ipOf(c))}`, RATE_LIMITS.registerPerIp)
  if (limit.limited) {
    throw new ApiError(429, 'errors.tooMany.text', { headers: { 'Retry-After': String(limit.retryAfterSeconds) } })
  }
  await next()
}

const register = createRoute({
  method: 'post',
  path: '/users',
  tags: ['Users'],
  summary: 'Register (the same rules and messages as the form; limited per IP)',
  middleware: [registerLimit] as const,
  request: { body: { content: { 'application/json': { schema: registerSchema } }, required: true } },
  responses: { 201: json(userSchema, 'The new member'), ...errorResponses(400, 401, 413, 415, 422) },
})

const update = createRoute({
  method: 'put',
  path: '/users/{id}',
  tags: ['Users'],
  summary: 'Change your username, about me or language (yourself only)',
  security: [{ bearer: [] }],
  middleware: [requireToken] as const,
  request: {
    params: idParams,
    body: { content: { 'application/json': { schema: updateUserSchema } }, required: true },
  },
  responses: { 200: json(userSchema, 'The updated member'), ...errorResponses(400, 401, 403, 404, 413, 415, 422) },
})

export function registerUserRoutes(api: OpenAPIHono<ApiEnv>) {
  api.openapi(getUser, async (c) => {
    const user = await getMemberById(c.var.db, c.req.valid('param').id)
    if (!user) throw new ApiError(404, 'errors.userNotFound')
    return c.json(userJson(user, user.id === c.var.user?.id), 200)
  })

  api.openapi(getUserByName, async (c) => {
    const user = await getUserByUsername(c.var.db, c.req.valid('param').username)
    if (!user) throw new ApiError(404, 'errors.userNotFound')
    return c.json(userJson(user, user.id === c.var.user?.id), 200)
  })

  api.openapi(listAll, async (c) => {
    const { limit, before } = pageParams(c.req.valid('query'))
    const page = await listUsers(c.var.db, { before, limit })
    return c.json(pageJson('/api/users', limit, before, page, userSummaryJson), 200)
  })

  api.openapi(register, async (c) => {
    const db = c.var.db
    const { username, email, password } = c.req.valid('json')
    const created = await createUser(db, {
      username,
      email: email.toLowerCase(),
      passwordHash: await hashPassword(password),
    })
    if (!created.ok) {
      const fields: Record<string, MessageKey> =
        created.taken === 'email' ? { email: 'auth.emailTaken' } : { username: 'auth.usernameTaken' }
      throw new ApiError(422, undefined, { fields })
    }
    c.header('Location', `/api/users/${created.user.id}`)
    return c.json(userJson(created.user, true), 201)
  })

  api.openapi(update, async (c) => {
    const db = c.var.db
    const me = c.var.user!
    const { id } = c.req.valid('param')
    if (id !== me.id) {
      if (!(await getMemberById(db, id))) throw new ApiError(404, 'errors.userNotFound')
      throw new ApiError(403, 'api.error.notYourAccount')
    }
    const input = c.req.valid('json')
    const result = await updateProfile(db, me.id, {
      username: input.username ?? me.username,
      aboutMe: input.about_me ?? me.aboutMe,
      language: input.language,
    })
    if (!result.ok) throw new ApiError(422, undefined, { fields: { username: 'auth.usernameTaken' } })
    const user = await getMemberById(db, me.id)
    return c.json(userJson(user!, true), 200)
  })
}
