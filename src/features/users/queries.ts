import { and, desc, eq, isNull, sql } from 'drizzle-orm'
import { bind, prepareOnce, runStatement, type Statement } from '../../db/read'
import { keysetSelect, olderThan } from '../../db/keyset'
import type { Db } from '../../db/client'
import { uniqueViolation } from '../../db/errors'
import { follows, reservedUsernames, users, type User } from '../../db/schema'
import { PAGE_SIZE, toPage, type Cursor, type Page } from '../../lib/cursor'

const userByUsername = prepareOnce((db) =>
  db
    .select()
    .from(users)
    .where(and(sql`lower(${users.username}) = ${sql.placeholder('username')}`, isNull(users.deletedAt)))
    .limit(1)
    .prepare(),
)

/**
 * A member by username; usernames are unique case-insensitively (the `lower(username)`
 * index). A deleted account (being removed by its job) is not found: its profile is a 404 at once.
 */
export function userByUsernameRead(db: Db, username: string): Statement<User | null> {
  return bind(db, userByUsername(db), { username: username.toLowerCase() }, (rows) => rows[0] ?? null)
}

export const getUserByUsername = (db: Db, username: string) => runStatement(userByUsernameRead(db, username))

/** By address, for login and password reset; a deleted account is not found. */
export async function getUserByEmail(db: Db, email: string): Promise<User | null> {
  const row = await db
    .select()
    .from(users)
    .where(and(eq(users.email, email.trim().toLowerCase()), isNull(users.deletedAt)))
    .get()
  return row ?? null
}

/** A deleted account's username stays reserved for 30 days (reserved_usernames). */
export async function isUsernameReserved(db: Db, username: string, now = Date.now()): Promise<boolean> {
  const row = await db
    .select({ until: reservedUsernames.until })
    .from(reservedUsernames)
    .where(eq(reservedUsernames.username, username.toLowerCase()))
    .get()
  return row !== undefined && row.until > now
}

export async function getUserById(db: Db, id: number): Promise<User | null> {
  const row = await db.select().from(users).where(eq(users.id, id)).get()
  return row ?? null
}

/** A member by id, or null when there is none or the account is being deleted (a 404). */
export async function getMemberById(db: Db, id: number): Promise<User | null> {
  const row = await db
    .select()
    .from(users)
    .where(and(eq(users.id, id), isNull(users.deletedAt)))
    .get()
  return row ?? null
}

/** Login accepts a username or an email address. */
export async function getUserByLogin(db: Db, login: string): Promise<User | null> {
  return login.includes('@') ? getUserByEmail(db, login) : getUserByUsername(db, login)
}

export type NewUser = { username: string; email: string; passwordHash: string; language?: string | null }

/** The field whose unique index a failed write on `users` broke (a race the pre-checks lost). */
function takenField(error: unknown): 'username' | 'email' | null {
  const constraint = uniqueViolation(error)
  if (constraint === 'users_username_lower_idx' || constraint === 'users.username') return 'username'
  if (constraint === 'users_email_idx' || constraint === 'users.email') return 'email'
  return null
}

export type CreateUserResult = { ok: true; user: User } | { ok: false; taken: 'username' | 'email' }

/** Inserts a member; a uniqueness clash (even one that races the pre-check) is a value. */
export async function createUser(db: Db, input: NewUser, now = Date.now()): Promise<CreateUserResult> {
  if (await getUserByUsername(db, input.username)) return { ok: false, taken: 'username' }
  if (await isUsernameReserved(db, input.username, now)) return { ok: false, taken: 'username' }
  if (await getUserByEmail(db, input.email)) return { ok: false, taken: 'email' }
  try {
    const user = await db
      .insert(users)
      .values({
        username: input.username,
        email: input.email.toLowerCase(),
        passwordHash: input.passwordHash,
        language: input.language ?? null,
        lastSeenAt: now,
        createdAt: now,
      })
      .returning()
      .get()
    return { ok: true, user }
  } catch (error) {
    const taken = takenField(error)
    if (taken) return { ok: false, taken }
    throw error
  }
}

export async function updatePasswordHash(db: Db, userId: number, passwordHash: string): Promise<void> {
  await db.update(users).set({ passwordHash }).where(eq(users.id, userId))
}

/**
 * Replaces a hash made with weaker parameters by one of today's, for the same password
 * (at login, once it was checked). Not a password change: the stamp tells the database
 * trigger to leave the member's API tokens alone. Only the very hash that was checked is
 * replaced — a password changed in between (a reset racing the login) must not be written
 * over with the old password. True when it was upgraded.
 */
export async function upgradePasswordHash(
  db: Db,
  userId: number,
  input: { checked: string; upgraded: string },
  now = Date.now(),
): Promise<boolean> {
  const done = await db
    .update(users)
    .set({ passwordHash: input.upgraded, passwordRehashedAt: now })
    .where(and(eq(users.id, userId), eq(users.passwordHash, input.checked)))
    .returning({ id: users.id })
  return done.length === 1
}

export type UpdateProfileResult = { ok: true } | { ok: false; taken: 'username' }

export async function updateProfile(
  db: Db,
  userId: number,
  input: { username: string; aboutMe: string; language?: string | null },
): Promise<UpdateProfileResult> {
  const existing = await getUserByUsername(db, input.username)
  if (existing && existing.id !== userId) return { ok: false, taken: 'username' }
  if (!existing && (await isUsernameReserved(db, input.username))) return { ok: false, taken: 'username' }
  try {
    const language = input.language === undefined ? {} : { language: input.language }
    await db
      .update(users)
      .set({ username: input.username, aboutMe: input.aboutMe, ...language })
      .where(eq(users.id, userId))
    return { ok: true }
  } catch (error) {
    if (takenField(error) === 'username') return { ok: false, taken: 'username' }
    throw error
  }
}

export type UserListItem = { id: number; username: string; email: string; aboutMe: string; since: number }

/**
 * People following `userId`, most recent first; members being deleted are left out. (On
 * the joined member row: one member has fewer followers than the site has members, so
 * SQLite never reads the whole table for it, see notBeingDeleted in db/member.ts.)
 */
export async function listFollowers(
  db: Db,
  userId: number,
  opts: { before: Cursor | null; limit?: number },
): Promise<Page<UserListItem>> {
  const rows = await db
    .select({
      id: users.id,
      username: users.username,
      email: users.email,
      aboutMe: users.aboutMe,
      since: follows.createdAt,
    })
    .from(follows)
    .innerJoin(users, eq(users.id, follows.followerId))
    .where(
      and(
        eq(follows.followedId, userId),
        isNull(users.deletedAt),
        olderThan(follows.createdAt, follows.followerId, opts.before),
      ),
    )
    .orderBy(desc(follows.createdAt), desc(follows.followerId))
    .limit((opts.limit ?? PAGE_SIZE) + 1)
  return toPage(rows, (row) => ({ createdAt: row.since, id: row.id }), opts.limit)
}

/** People `userId` follows, most recent first; members being deleted are left out. */
export async function listFollowing(
  db: Db,
  userId: number,
  opts: { before: Cursor | null; limit?: number },
): Promise<Page<UserListItem>> {
  const rows = await db
    .select({
      id: users.id,
      username: users.username,
      email: users.email,
      aboutMe: users.aboutMe,
      since: follows.createdAt,
    })
    .from(follows)
    .innerJoin(users, eq(users.id, follows.followedId))
    .where(
      and(
        eq(follows.followerId, userId),
        isNull(users.deletedAt),
        olderThan(follows.createdAt, follows.followedId, opts.before),
      ),
    )
    .orderBy(desc(follows.createdAt), desc(follows.followedId))
    .limit((opts.limit ?? PAGE_SIZE) + 1)
  return toPage(rows, (row) => ({ createdAt: row.since, id: row.id }), opts.limit)
}

/** Every member, newest first (the API's user list; `users_created_idx`). */
export async function listUsers(db: Db, opts: { before: Cursor | null; limit?: number }): Promise<Page<User>> {
  const rows = await keysetSelect(
    (range) =>
      db
        .select()
        .from(users)
        .where(and(isNull(users.deletedAt), range))
        .$dynamic(),
    users.createdAt,
    users.id,
    { before: opts.before },
    (opts.limit ?? PAGE_SIZE) + 1,
  )
  return toPage(rows, (row) => ({ createdAt: row.createdAt, id: row.id }), opts.limit)
}
