import type { z } from '@hono/zod-openapi'
import type { User } from '../../db/schema'
import { encodeCursor, parseCursor, PAGE_SIZE, type Cursor, type Page } from '../../lib/cursor'
import { avatarUrl } from '../../lib/gravatar'
import type { PostView } from '../../views/components'
import { ApiError } from './errors'
import type { postJsonSchema, userSchema, userSummarySchema } from './schemas'

/** Rows → JSON representations: snake_case fields, ISO-8601 UTC times, `_links`. */

const iso = (ms: number) => new Date(ms).toISOString()
const htmlUser = (username: string) => `/user/${encodeURIComponent(username)}`

export function userSummaryJson(user: { id: number; username: string; email: string }) {
  return {
    id: user.id,
    username: user.username,
    avatar: avatarUrl(user.email, 64),
    _links: { self: `/api/users/${user.id}`, html: htmlUser(user.username) },
  } satisfies z.infer<typeof userSummarySchema>
}

/** A member's representation; `self` adds what only they may see (their email). */
export function userJson(user: User, self: boolean): z.infer<typeof userSchema> {
  const base = `/api/users/${user.id}`
  return {
    id: user.id,
    username: user.username,
    about_me: user.aboutMe,
    avatar: avatarUrl(user.email, 128),
    language: user.language,
    post_count: user.postCount,
    follower_count: user.followerCount,
    following_count: user.followingCount,
    last_seen: iso(user.lastSeenAt),
    created_at: iso(user.createdAt),
    ...(self ? { email: user.email } : {}),
    _links: {
      self: base,
      html: htmlUser(user.username),
      posts: `${base}/posts`,
      followers: `${base}/followers`,
      following: `${base}/following`,
    },
  }
}

export function postJson(post: PostView): z.infer<typeof postJsonSchema> {
  return {
    id: post.id,
    body: post.body,
    language: post.language,
    created_at: iso(post.createdAt),
    author: userSummaryJson(post.author),
    _links: { self: `/api/posts/${post.id}`, html: `/post/${post.id}`, author: `/api/users/${post.author.id}` },
  }
}

/** `limit` and `before` of a list request; a malformed cursor is a 400 like on the pages. */
export function pageParams(query: { limit?: number; before?: string }): { limit: number; before: Cursor | null } {
  const parsed = parseCursor(query.before)
  if (!parsed.ok) throw new ApiError(400, 'api.error.badCursor')
  return { limit: query.limit ?? PAGE_SIZE, before: parsed.cursor }
}

/** A page with `_meta` and `_links` (self and next keep the caller's limit). */
export function pageJson<T, J>(
  path: string,
  limit: number,
  before: Cursor | null,
  page: Page<T>,
  toJson: (item: T) => J,
) {
  const withQuery = (cursor: string | null) => {
    const params = new URLSearchParams()
    if (limit !== PAGE_SIZE) params.set('limit', String(limit))
    if (cursor) params.set('before', cursor)
    const query = params.toString()
    return query ? `${path}?${query}` : path
  }
  return {
    items: page.items.map(toJson),
    _meta: { limit, count: page.items.length, next_cursor: page.next },
    _links: {
      self: withQuery(before ? encodeCursor(before) : null),
      next: page.next ? withQuery(page.next) : null,
    },
  }
}
