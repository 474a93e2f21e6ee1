import { sql } from 'drizzle-orm'
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'

// Times are integers: UTC epoch milliseconds everywhere.

// The email delivery tables (sent emails, dev outbox, dead letters, admin alerts).
export * from './schema-email'

export const users = sqliteTable(
  'users',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    username: text('username').notNull(),
    email: text('email').notNull(),
    passwordHash: text('password_hash').notNull(),
    // When the hash was last upgraded at login (same password, stronger parameters). The
    // update that upgrades it sets this too, which tells the token-revoking trigger that the
    // password itself did not change (migrations/0015).
    passwordRehashedAt: integer('password_rehashed_at'),
    aboutMe: text('about_me').notNull().default(''),
    language: text('language'),
    // Counters are kept on the row so a profile page reads one row instead of counting
    // (D1 bills per row read). They are recomputed in the same batch as every write.
    postCount: integer('post_count').notNull().default(0),
    followerCount: integer('follower_count').notNull().default(0),
    followingCount: integer('following_count').notNull().default(0),
    // Unread private messages over all conversations: the navigation badge reads it from the
    // user row the session already loaded. Kept in the same batch as every message write.
    unreadMessageCount: integer('unread_message_count').notNull().default(0),
    lastSeenAt: integer('last_seen_at').notNull(),
    createdAt: integer('created_at').notNull(),
    // Set when the member deletes their account: from then on the profile is gone (404) and
    // nobody can log in as them, while a job removes their data in chunks.
    deletedAt: integer('deleted_at'),
  },
  (t) => [
    uniqueIndex('users_username_lower_idx').on(sql`lower(${t.username})`),
    uniqueIndex('users_email_idx').on(t.email),
    index('users_created_idx').on(t.createdAt, t.id),
    // Only the members being deleted (usually none): reads that cannot join each row's
    // author cheaply (search ranks a thousand hits) leave out this small set instead.
    index('users_deleted_idx')
      .on(t.deletedAt)
      .where(sql`${t.deletedAt} IS NOT NULL`),
  ],
)

export const sessions = sqliteTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    secretHash: text('secret_hash').notNull(),
    persistent: integer('persistent', { mode: 'boolean' }).notNull(),
    createdAt: integer('created_at').notNull(),
    lastVerifiedAt: integer('last_verified_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
    // What Settings → Sessions shows: the browser and system the session was opened from (a
    // summary, never the User-Agent itself) and the country Cloudflare saw (null: unknown).
    browser: text('browser'),
    os: text('os'),
    country: text('country'),
    // Last use, written at most every few minutes (not a write per request).
    lastUsedAt: integer('last_used_at').notNull().default(0),
    // When the password was last typed in this session (login, or the confirm step before a
    // sensitive change, which needs it within the last 10 minutes). 0: not in this session.
    reauthenticatedAt: integer('reauthenticated_at').notNull().default(0),
  },
  (t) => [index('sessions_user_idx').on(t.userId), index('sessions_expires_idx').on(t.expiresAt)],
)

export const posts = sqliteTable(
  'posts',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    body: text('body').notNull(),
    language: text('language'),
    createdAt: integer('created_at').notNull(),
    // The post form's one-time key: the same key twice (a double click, a retried
    // request) is one post. NULL for posts written before keys existed.
    formKey: text('form_key'),
  },
  (t) => [
    index('posts_created_idx').on(t.createdAt, t.id),
    index('posts_user_created_idx').on(t.userId, t.createdAt, t.id),
    uniqueIndex('posts_user_form_key_idx').on(t.userId, t.formKey),
  ],
)

export const follows = sqliteTable(
  'follows',
  {
    followerId: integer('follower_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    followedId: integer('followed_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.followerId, t.followedId] }),
    index('follows_followed_idx').on(t.followedId, t.createdAt, t.followerId),
    index('follows_follower_created_idx').on(t.followerId, t.createdAt, t.followedId),
  ],
)

/**
 * The home timeline, fanned out on write: one row per (reader, post) for every post by
 * someone the reader follows and by the reader. Reading a page is then one range of the
 * primary key (26 rows), however many people a reader follows or how deep they scroll.
 *
 * The table is `WITHOUT ROWID` (migration 0011; Drizzle cannot declare it): the rows live
 * in the primary-key b-tree `(owner_id, created_at, post_id)`, which is exactly the order a
 * page is read in, so there is no separate rowid table and no index repeating it. The one
 * index, `(owner_id, author_id)`, serves unfollows and account deletions. There is no index
 * on `post_id` and no foreign key to `posts` (a cascade would need that index, and would make
 * deleting a big author's post one unbounded statement): a post's copies are found through
 * its author's followers, chunk by chunk (features/posts/fanout.ts), and reads join `posts`.
 */
export const timelineEntries = sqliteTable(
  'timeline_entries',
  {
    ownerId: integer('owner_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: integer('created_at').notNull(),
    postId: integer('post_id').notNull(),
    authorId: integer('author_id').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.ownerId, t.createdAt, t.postId] }),
    index('timeline_owner_author_idx').on(t.ownerId, t.authorId),
  ],
)

/** Fixed-window counters for rate limits, keyed like `login:ip:1.2.3.4`. */
export const rateLimits = sqliteTable(
  'rate_limits',
  {
    key: text('key').primaryKey(),
    count: integer('count').notNull(),
    resetAt: integer('reset_at').notNull(),
  },
  (t) => [index('rate_limits_reset_idx').on(t.resetAt)],
)

/**
 * Password-reset tokens. Only SHA-256(token) is stored: a leaked database holds no usable
 * link. A token is single use (`used_at`, `claim_nonce`) and dies at `expires_at` (one hour).
 */
export const passwordResetTokens = sqliteTable(
  'password_reset_tokens',
  {
    tokenHash: text('token_hash').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
    usedAt: integer('used_at'),
    // A random value written by the claim that used the token. The writes that follow a claim
    // (new password, sessions out) check for *their* nonce: two claims in the same millisecond
    // would both match `used_at = now`, but only one of them wrote its nonce.
    claimNonce: text('claim_nonce'),
  },
  (t) => [
    index('password_reset_tokens_user_idx').on(t.userId),
    index('password_reset_tokens_expires_idx').on(t.expiresAt),
  ],
)

/**
 * A pending change of a member's email address: the link sent to the new address, stored
 * as SHA-256(token) like reset links, single use (`used_at`, `claim_nonce`), one hour.
 */
export const emailChangeTokens = sqliteTable(
  'email_change_tokens',
  {
    tokenHash: text('token_hash').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    newEmail: text('new_email').notNull(),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
    usedAt: integer('used_at'),
    claimNonce: text('claim_nonce'),
  },
  (t) => [index('email_change_tokens_user_idx').on(t.userId), index('email_change_tokens_expires_idx').on(t.expiresAt)],
)

/**
 * Machine translations of posts, one per (post, target language): each is paid for once
 * (Workers AI bills per call), then read back by primary key. Deleted with the post.
 */
export const postTranslations = sqliteTable(
  'post_translations',
  {
    postId: integer('post_id')
      .notNull()
      .references(() => posts.id, { onDelete: 'cascade' }),
    language: text('language').notNull(),
    body: text('body').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.postId, t.language] })],
)

/**
 * One row per pair of members who exchanged private messages (`user_a_id` < `user_b_id`).
 * It carries what the inbox shows — the last message, per-side unread counts and last-read
 * times — and is updated in the same batch as each message write, so the inbox reads
 * conversation rows only (never messages) and a thread's unread count is one row.
 */
export const conversations = sqliteTable(
  'conversations',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    userAId: integer('user_a_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    userBId: integer('user_b_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    lastMessageBody: text('last_message_body'),
    lastSenderId: integer('last_sender_id'),
    lastMessageAt: integer('last_message_at').notNull(),
    aUnread: integer('a_unread').notNull().default(0),
    bUnread: integer('b_unread').notNull().default(0),
    aLastReadAt: integer('a_last_read_at').notNull().default(0),
    bLastReadAt: integer('b_last_read_at').notNull().default(0),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [
    uniqueIndex('conversations_pair_idx').on(t.userAId, t.userBId),
    // The inbox: one keyset range per side, newest activity first.
    index('conversations_a_activity_idx').on(t.userAId, t.lastMessageAt, t.id),
    index('conversations_b_activity_idx').on(t.userBId, t.lastMessageAt, t.id),
  ],
)

/** Private messages; deleted with their conversation or either member. */
export const messages = sqliteTable(
  'messages',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    conversationId: integer('conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    senderId: integer('sender_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    recipientId: integer('recipient_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    body: text('body').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [
    // A thread page: one keyset range.
    index('messages_conversation_created_idx').on(t.conversationId, t.createdAt, t.id),
    // A member's messages by side (data export, account deletion, cascades).
    index('messages_sender_idx').on(t.senderId, t.createdAt),
    index('messages_recipient_idx').on(t.recipientId, t.createdAt),
  ],
)

/**
 * Background jobs (exports, account deletions), run by the `JOBS_QUEUE` consumer. Messages
 * carry only the job id; everything else is here. `cursor` is where the job resumes after
 * a retry (the last finished chunk); `updated_at` moves with every chunk and every attempt,
 * so an export that stopped moving for 10 minutes is found by the housekeeping run and
 * marked failed, and a deletion that stopped is queued again (a deletion never fails).
 * `user_id` has no foreign key on purpose: an account deletion's job outlives the account.
 */
export const jobs = sqliteTable(
  'jobs',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    userId: integer('user_id').notNull(),
    kind: text('kind', { enum: ['export', 'delete-account'] }).notNull(),
    state: text('state', { enum: ['queued', 'running', 'done', 'failed'] }).notNull(),
    done: integer('done').notNull().default(0),
    total: integer('total').notNull().default(0),
    attempts: integer('attempts').notNull().default(0),
    /** A catalog key: why it failed, in words for the member. */
    error: text('error'),
    /** JSON: where the job resumes. */
    cursor: text('cursor'),
    /** The finished file (exports): its R2 key and size, and when it is deleted. */
    fileKey: text('file_key'),
    fileSize: integer('file_size'),
    expiresAt: integer('expires_at'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
    finishedAt: integer('finished_at'),
    /**
     * When the job last finished a chunk (null: not yet; its `created_at` counts). Unlike
     * `updated_at`, a failed attempt or a retry does not move it: an account deletion that has
     * not progressed for a day is reported to the admins.
     */
    progressAt: integer('progress_at'),
  },
  (t) => [
    index('jobs_user_kind_created_idx').on(t.userId, t.kind, t.createdAt),
    index('jobs_state_updated_idx').on(t.state, t.updatedAt),
    index('jobs_expires_idx').on(t.expiresAt),
    // One export (or deletion) at a time per member, enforced by the database, so two
    // simultaneous requests cannot both start one.
    uniqueIndex('jobs_one_active_idx')
      .on(t.userId, t.kind)
      .where(sql`state IN ('queued', 'running')`),
  ],
)

/** Usernames of deleted accounts, kept from re-registration until `until`. */
export const reservedUsernames = sqliteTable(
  'reserved_usernames',
  {
    /** lower(username) */
    username: text('username').primaryKey(),
    until: integer('until').notNull(),
  },
  (t) => [index('reserved_usernames_until_idx').on(t.until)],
)

export type Job = typeof jobs.$inferSelect

/**
 * API bearer tokens, in the sessions' design: a token is `<id>.<secret>` and only
 * SHA-256(secret) is stored. Fixed lifetime (1 hour, or 30 days with `remember`), no
 * sliding. A trigger (migration 0010) deletes a member's tokens when their password changes.
 */
export const apiTokens = sqliteTable(
  'api_tokens',
  {
    id: text('id').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    secretHash: text('secret_hash').notNull(),
    /** What the member called it ("backup script"); '' for tokens made before names. */
    name: text('name').notNull().default(''),
    createdAt: integer('created_at').notNull(),
    lastUsedAt: integer('last_used_at'),
    expiresAt: integer('expires_at').notNull(),
  },
  (t) => [index('api_tokens_user_idx').on(t.userId, t.createdAt)],
)

/**
 * `Idempotency-Key`s of `POST /api/posts`, per token, for 24 hours (the daily housekeeping
 * prunes older rows). `request_hash` is SHA-256 of the validated request, so the same key
 * with another body is refused; `form_key` is the post's own one-time key (posts'
 * unique (user_id, form_key) index makes racing retries one post); `post_id` is the post
 * made, so a retry after its deletion is told so rather than posting again.
 */
export const apiIdempotencyKeys = sqliteTable(
  'api_idempotency_keys',
  {
    tokenId: text('token_id')
      .notNull()
      .references(() => apiTokens.id, { onDelete: 'cascade' }),
    key: text('key').notNull(),
    requestHash: text('request_hash').notNull(),
    formKey: text('form_key').notNull(),
    postId: integer('post_id'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.tokenId, t.key] }), index('api_idempotency_keys_created_idx').on(t.createdAt)],
)

export type User = typeof users.$inferSelect
export type Post = typeof posts.$inferSelect
export type Session = typeof sessions.$inferSelect
export type PasswordResetToken = typeof passwordResetTokens.$inferSelect
export type EmailChangeToken = typeof emailChangeTokens.$inferSelect
export type Conversation = typeof conversations.$inferSelect
export type Message = typeof messages.$inferSelect
export type ApiToken = typeof apiTokens.$inferSelect
