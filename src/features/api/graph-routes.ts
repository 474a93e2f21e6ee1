import { createRoute, type OpenAPIHono } from '@hono/zod-openapi'
import { runtimeOf } from '../../middleware/runtime'
import { followMember, unfollowMember, type FollowOutcome } from '../follows/actions'
import { getMemberById, listFollowers, listFollowing } from '../users/queries'
import { ApiError, errorResponses } from './errors'
import { requireToken, type ApiEnv } from './middleware'
import { pageJson, pageParams, userJson, userSummaryJson } from './represent'
import { idParams, jsonResponse, pageQuery, userPageSchema, userSchema } from './schemas'

const followers = createRoute({
  method: 'get',
  path: '/users/{id}/followers',
  tags: ['Social graph'],
  summary: "A member's followers, most recent first",
  request: { params: idParams, query: pageQuery },
  responses: { 200: jsonResponse(userPageSchema, 'A page of members'), ...errorResponses(400, 401, 404) },
})

const following = createRoute({
  method: 'get',
  path: '/users/{id}/following',
  tags: ['Social graph'],
  summary: 'The members someone follows, most recent first',
  request: { params: idParams, query: pageQuery },
  responses: { 200: jsonResponse(userPageSchema, 'A page of members'), ...errorResponses(400, 401, 404) },
})

const follow = createRoute({
  method: 'post',
  path: '/users/{id}/follow',
  tags: ['Social graph'],
  summary: 'Follow a member (following twice changes nothing)',
  description: 'Follows and unfollows share one budget with the site’s buttons: 60 per member per 10 minutes.',
  security: [{ bearer: [] }],
  middleware: [requireToken] as const,
  request: { params: idParams },
  responses: { 200: jsonResponse(userSchema, 'The followed member'), ...errorResponses(400, 401, 404, 422) },
})

const unfollow = createRoute({
  method: 'delete',
  path: '/users/{id}/follow',
  tags: ['Social graph'],
  summary: 'Unfollow a member',
  description: 'Follows and unfollows share one budget with the site’s buttons: 60 per member per 10 minutes.',
  security: [{ bearer: [] }],
  middleware: [requireToken] as const,
  request: { params: idParams },
  responses: { 200: jsonResponse(userSchema, 'The unfollowed member'), ...errorResponses(400, 401, 404, 422) },
})

async function target(c: { var: ApiEnv['Variables'] }, id: number) {
  const user = await getMemberById(c.var.db, id)
  if (!user) throw new ApiError(404, 'errors.userNotFound')
  return user
}

/** The followed member as it now stands, or why not. */
function memberOf(outcome: FollowOutcome) {
  if (outcome.ok) return userJson(outcome.member, false)
  if (outcome.error === 'rate-limited') {
    throw new ApiError(429, undefined, { headers: { 'Retry-After': String(outcome.retryAfter) } })
  }
  if (outcome.error === 'yourself') throw new ApiError(422, 'follows.notYourself')
  throw new ApiError(404, 'errors.userNotFound')
}

export function registerGraphRoutes(api: OpenAPIHono<ApiEnv>) {
  api.openapi(followers, async (c) => {
    const user = await target(c, c.req.valid('param').id)
    const { limit, before } = pageParams(c.req.valid('query'))
    const page = await listFollowers(c.var.db, user.id, { before, limit })
    return c.json(pageJson(`/api/users/${user.id}/followers`, limit, before, page, userSummaryJson), 200)
  })

  api.openapi(following, async (c) => {
    const user = await target(c, c.req.valid('param').id)
    const { limit, before } = pageParams(c.req.valid('query'))
    const page = await listFollowing(c.var.db, user.id, { before, limit })
    return c.json(pageJson(`/api/users/${user.id}/following`, limit, before, page, userSummaryJson), 200)
  })

  api.openapi(follow, async (c) => {
    const outcome = await followMember(c.var.db, runtimeOf(c), c.var.user!, { id: c.req.valid('param').id })
    return c.json(memberOf(outcome), 200)
  })

  api.openapi(unfollow, async (c) => {
    const outcome = await unfollowMember(c.var.db, runtimeOf(c), c.var.user!, { id: c.req.valid('param').id })
    return c.json(memberOf(outcome), 200)
  })
}
