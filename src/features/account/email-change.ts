import { and, eq, gt, isNull, sql } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { uniqueViolation } from '../../db/errors'
import { emailChangeTokens, passwordResetTokens, users, type EmailChangeToken } from '../../db/schema'
import { createLinkToken, hashLinkToken, isWellFormedLinkToken } from '../../lib/link-token'

/**
 * A change of email address: the member asks (with a recent password), a single-use link
 * goes to the new address, and only following it changes the address — so nobody can move
 * an account to an inbox they do not read, and a typo locks no one out.
 */

/** The link works for one hour, like a reset link. */
export const EMAIL_CHANGE_TTL_MS = 60 * 60 * 1000

/**
 * Records the request and returns the token for the link (only its hash is kept). Earlier
 * pending requests of the member are dropped: the newest address asked for is the one.
 */
export async function createEmailChange(db: Db, userId: number, newEmail: string, now = Date.now()): Promise<string> {
  const token = createLinkToken()
  await db.batch([
    db.delete(emailChangeTokens).where(eq(emailChangeTokens.userId, userId)),
    db.insert(emailChangeTokens).values({
      tokenHash: hashLinkToken(token),
      userId,
      newEmail,
      createdAt: now,
      expiresAt: now + EMAIL_CHANGE_TTL_MS,
    }),
  ])
  return token
}

/** The request behind a link, if the link may still be used: known, unused, not expired. */
export async function getUsableEmailChange(db: Db, token: string, now = Date.now()): Promise<EmailChangeToken | null> {
  if (!isWellFormedLinkToken(token)) return null
  const row = await db
    .select()
    .from(emailChangeTokens)
    .where(eq(emailChangeTokens.tokenHash, hashLinkToken(token)))
    .get()
  if (!row || row.usedAt !== null || row.expiresAt <= now) return null
  return row
}

export type EmailChangeResult = { ok: true } | { ok: false; reason: 'used' | 'taken' }

/**
 * Applies the change, in one atomic batch: 1. claim the token (unused and unexpired only,
 * writing this claim's nonce, so of two simultaneous clicks exactly one wins), 2. set the
 * address, 3. retire the member's outstanding reset links (they went to the old address) —
 * 2 and 3 only if the token carries this claim's nonce. An address that another account
 * took meanwhile breaks the unique index: the whole batch is undone (the link still works
 * should the address come free) and the answer is `taken`.
 */
export async function completeEmailChange(
  db: Db,
  change: EmailChangeToken,
  now = Date.now(),
): Promise<EmailChangeResult> {
  const { tokenHash, userId } = change
  const nonce = crypto.randomUUID()
  const claimed = sql`exists (select 1 from ${emailChangeTokens} where ${emailChangeTokens.tokenHash} = ${tokenHash}
    and ${emailChangeTokens.claimNonce} = ${nonce})`
  try {
    const [claim] = await db.batch([
      db
        .update(emailChangeTokens)
        .set({ usedAt: now, claimNonce: nonce })
        .where(
          and(
            eq(emailChangeTokens.tokenHash, tokenHash),
            isNull(emailChangeTokens.usedAt),
            gt(emailChangeTokens.expiresAt, now),
          ),
        )
        .returning({ userId: emailChangeTokens.userId }),
      db
        .update(users)
        .set({ email: change.newEmail })
        .where(and(eq(users.id, userId), isNull(users.deletedAt), claimed)),
      db
        .update(passwordResetTokens)
        .set({ usedAt: now })
        .where(and(eq(passwordResetTokens.userId, userId), isNull(passwordResetTokens.usedAt), claimed)),
    ])
    return claim.length === 1 ? { ok: true } : { ok: false, reason: 'used' }
  } catch (error) {
    if (uniqueViolation(error)) return { ok: false, reason: 'taken' }
    throw error
  }
}
