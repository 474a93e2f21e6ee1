import { and, eq, gt, isNull, sql } from 'drizzle-orm'
import type { Db } from '../../../db/client'
import { emailChangeTokens, passwordResetTokens, sessions, users, type PasswordResetToken } from '../../../db/schema'
import { createLinkToken, hashLinkToken, isWellFormedLinkToken } from '../../../lib/link-token'

/** A reset link works for one hour: long enough to find the email, short if it leaks. */
export const RESET_TOKEN_TTL_MS = 60 * 60 * 1000

/** Creates a reset token for a user and returns the token itself (for the email only; only its hash is kept). */
export async function createResetToken(db: Db, userId: number, now = Date.now()): Promise<string> {
  const token = createLinkToken()
  await db.insert(passwordResetTokens).values({
    tokenHash: hashLinkToken(token),
    userId,
    createdAt: now,
    expiresAt: now + RESET_TOKEN_TTL_MS,
    usedAt: null,
  })
  return token
}

/** The token's row if the link may still be used: known, unused, not expired. */
export async function getUsableResetToken(db: Db, token: string, now = Date.now()): Promise<PasswordResetToken | null> {
  if (!isWellFormedLinkToken(token)) return null
  const row = await db
    .select()
    .from(passwordResetTokens)
    .where(eq(passwordResetTokens.tokenHash, hashLinkToken(token)))
    .get()
  if (!row || row.usedAt !== null || row.expiresAt <= now) return null
  return row
}

/**
 * Sets the new password with the token, in one atomic batch:
 * 1. claim the token (only if still unused and unexpired — a concurrent second use loses),
 *    writing a random nonce of this claim;
 * 2. set the password hash, 3. delete every session of the user (old cookies stop working),
 * 4. retire the user's other outstanding reset links, 5. drop pending email changes (asked
 * for by whoever knew the old password) —
 * steps 2–5 only if the token carries this claim's nonce. (Checking `used_at = now` instead
 * let two claims in the same millisecond both pass: the loser's password could win.)
 * Returns false when the token could not be claimed.
 */
export async function completePasswordReset(
  db: Db,
  input: { token: string; userId: number; passwordHash: string },
  now = Date.now(),
): Promise<boolean> {
  const tokenHash = hashLinkToken(input.token)
  const nonce = crypto.randomUUID()
  const claimed = sql`exists (select 1 from password_reset_tokens where token_hash = ${tokenHash} and claim_nonce = ${nonce})`
  const [claim] = await db.batch([
    db
      .update(passwordResetTokens)
      .set({ usedAt: now, claimNonce: nonce })
      .where(
        and(
          eq(passwordResetTokens.tokenHash, tokenHash),
          eq(passwordResetTokens.userId, input.userId),
          isNull(passwordResetTokens.usedAt),
          gt(passwordResetTokens.expiresAt, now),
        ),
      )
      .returning({ userId: passwordResetTokens.userId }),
    db
      .update(users)
      .set({ passwordHash: input.passwordHash })
      .where(and(eq(users.id, input.userId), claimed)),
    db.delete(sessions).where(and(eq(sessions.userId, input.userId), claimed)),
    db
      .update(passwordResetTokens)
      .set({ usedAt: now })
      .where(and(eq(passwordResetTokens.userId, input.userId), isNull(passwordResetTokens.usedAt), claimed)),
    db.delete(emailChangeTokens).where(and(eq(emailChangeTokens.userId, input.userId), claimed)),
  ])
  return claim.length === 1
}
