import { sha256 } from '@oslojs/crypto/sha2'
import { encodeHexLowerCase } from '@oslojs/encoding'
import { and, eq, isNull, sql } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { apiIdempotencyKeys } from '../../db/schema'

/**
 * `Idempotency-Key` for `POST /api/posts`: a client that did not hear the answer sends the
 * same request again with the same key and gets the first answer (the same post), never a
 * second post. Keys belong to the token that sent them and live 24 hours; the daily
 * housekeeping prunes them (src/jobs/housekeeping.ts).
 *
 * Races: identical requests at the same moment all claim the same row (one insert wins,
 * every request then reads the winner's row), so all carry the same post `form_key`, and
 * posts' unique (user_id, form_key) index lets exactly one insert through (createPost).
 */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000

/** 1–255 visible ASCII characters, like the keys of the IETF draft and common APIs. */
export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,255}$/

export type IdempotencyClaim = { requestHash: string; formKey: string; postId: number | null }

/** SHA-256 (hex) of the validated request: the same text is the same request. */
export function requestHash(request: unknown): string {
  return encodeHexLowerCase(sha256(new TextEncoder().encode(JSON.stringify(request))))
}

/**
 * Claims `key` for this request in one round trip: inserts it (or takes over a row older
 * than 24 hours that housekeeping has not pruned yet), then reads whichever row holds the
 * key now — this request's, or an earlier one's.
 */
export async function claimIdempotencyKey(
  db: Db,
  tokenId: string,
  key: string,
  hash: string,
  now = Date.now(),
): Promise<IdempotencyClaim> {
  const fresh = { requestHash: hash, formKey: `api-${crypto.randomUUID()}`, postId: null, createdAt: now }
  const [, rows] = await db.batch([
    db
      .insert(apiIdempotencyKeys)
      .values({ tokenId, key, ...fresh })
      .onConflictDoUpdate({
        target: [apiIdempotencyKeys.tokenId, apiIdempotencyKeys.key],
        set: fresh,
        setWhere: sql`${apiIdempotencyKeys.createdAt} <= ${now - IDEMPOTENCY_TTL_MS}`,
      }),
    db
      .select({
        requestHash: apiIdempotencyKeys.requestHash,
        formKey: apiIdempotencyKeys.formKey,
        postId: apiIdempotencyKeys.postId,
      })
      .from(apiIdempotencyKeys)
      .where(and(eq(apiIdempotencyKeys.tokenId, tokenId), eq(apiIdempotencyKeys.key, key))),
  ])
  const claim = rows[0]
  if (!claim) throw new Error('idempotency key row missing right after its upsert')
  return claim
}

/** Remembers the post a key made, so a retry after its deletion is refused, not re-posted. */
export async function recordIdempotentPost(db: Db, tokenId: string, key: string, postId: number): Promise<void> {
  await db
    .update(apiIdempotencyKeys)
    .set({ postId })
    .where(
      and(eq(apiIdempotencyKeys.tokenId, tokenId), eq(apiIdempotencyKeys.key, key), isNull(apiIdempotencyKeys.postId)),
    )
}
