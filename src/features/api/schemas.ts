import { z } from '@hono/zod-openapi'
import { PATH_ID_PATTERN } from '../../lib/path-id'
import { emailSchema, passwordSchema, usernameSchema } from '../auth/schemas'
import { postSchema } from '../posts/schemas'
import { profileSchema } from '../users/schemas'
import { tokenNameSchema } from '../account/schemas'

/**
 * The API's request and response shapes. The same schemas validate requests and generate
 * /api/openapi.json, so the document cannot drift from the code. Responses are strict
 * objects (`additionalProperties: false`): a field the document does not list fails the
 * response check in the tests (test/api/contract.ts).
 */

export const isoTime = z.string().openapi({ format: 'date-time', example: '2026-11-30T12:00:00.000Z' })
export const link = z.string().openapi({ example: '/api/users/1' })

// A numeric path id. `z.coerce.number()` comes out of zod-openapi's document as optional and
// nullable, so it is a digit string turned into a number, documented as required.
export const idParam = (name: string) =>
  z
    .string()
    .regex(PATH_ID_PATTERN, 'api.error.badId')
    .transform(Number)
    .openapi({ param: { name, in: 'path', required: true }, example: '1' })

export const idParams = z.object({ id: idParam('id') })

export const pageQuery = z.object({
  limit: z
    .string()
    .regex(/^\d{1,3}$/, 'api.error.badLimit')
    .transform(Number)
    .refine((n) => n >= 1 && n <= 100, 'api.error.badLimit')
    .optional()
    .openapi({
      param: { name: 'limit', in: 'query' },
      description: 'Items per page, 1–100 (default 25).',
      example: '25',
    }),
  before: z
    .string()
    .optional()
    .openapi({
      param: { name: 'before', in: 'query' },
      description: 'The `_meta.next_cursor` of the previous page.',
      example: '1796068139214-42',
    }),
})

const pageMeta = z
  .strictObject({
    limit: z.number().int(),
    count: z.number().int(),
    next_cursor: z.string().nullable(),
  })
  .openapi('PageMeta')

const pageLinks = z.strictObject({ self: link, next: link.nullable() }).openapi('PageLinks')

/** A keyset page of `item`s with `_meta` and `_links`, registered as component `name`. */
export function pageOf<T extends z.ZodType>(item: T, name: string) {
  return z.strictObject({ items: z.array(item), _meta: pageMeta, _links: pageLinks }).openapi(name)
}

export const userSummarySchema = z
  .strictObject({
    id: z.number().int(),
    username: z.string(),
    avatar: z.string().openapi({ description: 'Gravatar image URL (identicon fallback).' }),
    _links: z.strictObject({ self: link, html: link }),
  })
  .openapi('UserSummary')

export const userSchema = z
  .strictObject({
    id: z.number().int(),
    username: z.string(),
    about_me: z.string(),
    avatar: z.string(),
    language: z.string().nullable().openapi({ description: 'Saved interface language, or null.' }),
    post_count: z.number().int(),
    follower_count: z.number().int(),
    following_count: z.number().int(),
    last_seen: isoTime,
    created_at: isoTime,
    email: z.string().optional().openapi({ description: 'Only in your own representation.' }),
    _links: z.strictObject({ self: link, html: link, posts: link, followers: link, following: link }),
  })
  .openapi('User')

export const postJsonSchema = z
  .strictObject({
    id: z.number().int(),
    body: z.string(),
    language: z.string().nullable().openapi({ description: 'ISO 639-1 code, or null if unknown.' }),
    created_at: isoTime,
    author: userSummarySchema,
    _links: z.strictObject({ self: link, html: link, author: link }),
  })
  .openapi('Post')

export const userPageSchema = pageOf(userSummarySchema, 'UserPage')
export const postPageSchema = pageOf(postJsonSchema, 'PostPage')

/** `GET /api/search`: a page of posts (`items`), plus matching members on the first page. */
export const searchPageSchema = z
  .strictObject({
    q: z.string().openapi({ description: 'The query, as sent.' }),
    items: z.array(postJsonSchema),
    people: z.array(userSummarySchema).openapi({
      description: 'Members whose username starts with `q` (at most 5; first page only).',
    }),
    _meta: pageMeta,
    _links: pageLinks,
  })
  .openapi('SearchResults')

export const tokenSchema = z
  .strictObject({
    token: z.string().openapi({ description: 'Send as `Authorization: Bearer <token>`.' }),
    expires_at: isoTime,
  })
  .openapi('Token')

export const tokenRequestSchema = z
  .object({
    remember: z.boolean().optional().openapi({ description: 'true: 30 days instead of 1 hour.' }),
    name: tokenNameSchema
      .optional()
      .openapi({ description: 'What the token is for, as Settings → Sessions lists it (1–50 characters).' }),
  })
  .openapi('TokenRequest')

// Registration and profile use the form's own field schemas: same rules, same messages.
export const registerSchema = z
  .object({ username: usernameSchema, email: emailSchema, password: passwordSchema })
  .openapi('NewUser')

export const updateUserSchema = z
  .object({
    username: usernameSchema.optional(),
    about_me: profileSchema.shape.about_me.optional(),
    language: z.enum(['en', 'es']).nullable().optional().openapi({ description: 'Interface language, or null.' }),
  })
  .openapi('UserUpdate')

export const newPostSchema = z.object({ body: postSchema.shape.body }).openapi('NewPost')

/** A documented JSON answer, for `createRoute({ responses })`. */
export const jsonResponse = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
})
