// The rows the browser tests need besides the accounts they register themselves: `alice`,
// with more posts than one page holds (so infinite scroll has a second page and an end),
// the newest five minutes old (so the relative time has a known text), and `bob`, a
// member the accessibility and screenshot runs log in as, and `exporter`, whose 20,000
// received messages (from `penpal`, years old, read) make a data export long enough — about
// 40 chunks — to watch its progress arrive over the live channel. Bob also has a session
// whose password was typed long ago (for the confirm-password step) and alice a pending
// change of email address (for the page behind its link).
import { createHash } from 'node:crypto'
import { DERIVED_ROWS_SQL, hashPassword } from '../scripts/sql-helpers.mjs'

export const SEEDED_PASSWORD = 'e2e-seeded-pass'
export const ALICE = 'alice'
export const BOB = 'bob'
export const ALICE_POSTS = 30
export const SPANISH_POST = 'Bob: hoy leí un libro muy bueno sobre jardines.'
export const EXPORTER = 'exporter'
export const EXPORTER_MESSAGES = 20000
export const FRESH_POST = 'Alice: a fresh post from five minutes ago.'

/** Bob's session cookie whose last password entry is too old for sensitive changes. */
export const STALE_SESSION = 'e2estalesessionbobaaaaaa.e2estalesecretbobaaaaaaa'
/** The token of alice's pending email change (the link's last path segment). */
export const EMAIL_CHANGE_TOKEN = 'e2econfirmemailtokenforalicezzzz'

const sha256 = (text) => createHash('sha256').update(text).digest('hex')

const quote = (value) => `'${String(value).replaceAll("'", "''")}'`

export function buildE2eSeedSql(now = Date.now()) {
  const hash = hashPassword(SEEDED_PASSWORD)
  const hour = 3600 * 1000
  const lines = [
    `INSERT INTO users (id, username, email, password_hash, about_me, language, last_seen_at, created_at) VALUES
      (1, ${quote(ALICE)}, 'alice@example.com', ${quote(hash)}, 'Writes a lot. Seeded for the browser tests.', 'en', ${now - 10 * 60 * 1000}, ${now - 90 * 24 * hour}),
      (2, ${quote(BOB)}, 'bob@example.com', ${quote(hash)}, 'Reads a lot.', 'en', ${now - 2 * hour}, ${now - 80 * 24 * hour});`,
    `INSERT INTO follows (follower_id, followed_id, created_at) VALUES (2, 1, ${now - 30 * 24 * hour});`,
    // A conversation between alice and bob, for the inbox and thread pages.
    `INSERT INTO conversations (id, user_a_id, user_b_id, last_message_body, last_sender_id, last_message_at, a_unread, b_unread, created_at)
      VALUES (1, 1, 2, 'Sure, see you there!', 2, ${now - hour}, 1, 0, ${now - 2 * hour});`,
    `INSERT INTO messages (conversation_id, sender_id, recipient_id, body, created_at) VALUES
      (1, 1, 2, 'Coffee at the bakery on Friday?', ${now - 2 * hour}),
      (1, 2, 1, 'Sure, see you there!', ${now - hour});`,
    `UPDATE users SET unread_message_count = 1 WHERE id = 1;`,
    `INSERT INTO sessions (id, user_id, secret_hash, persistent, created_at, last_verified_at, expires_at, browser, os, last_used_at, reauthenticated_at)
      VALUES (${quote(STALE_SESSION.split('.')[0])}, 2, ${quote(sha256(STALE_SESSION.split('.')[1]))}, 1, ${now - 2 * hour},
      ${now - 2 * hour}, ${now + 30 * 24 * hour}, 'Firefox 133', 'Linux', ${now - hour}, ${now - 2 * hour});`,
    `INSERT INTO email_change_tokens (token_hash, user_id, new_email, created_at, expires_at)
      VALUES (${quote(sha256(EMAIL_CHANGE_TOKEN))}, 1, 'alice.new@example.com', ${now}, ${now + 24 * hour});`,
    // No posts and no follows: they show nowhere public, only in their own export.
    `INSERT INTO users (id, username, email, password_hash, about_me, language, last_seen_at, created_at) VALUES
      (3, ${quote(EXPORTER)}, 'exporter@example.com', ${quote(hash)}, '', 'en', ${now - hour}, ${now - 400 * 24 * hour}),
      (4, 'penpal', 'penpal@example.com', ${quote(hash)}, '', 'en', ${now - hour}, ${now - 400 * 24 * hour});`,
    `INSERT INTO conversations (id, user_a_id, user_b_id, last_message_body, last_sender_id, last_message_at, a_unread, b_unread, created_at)
      VALUES (2, 3, 4, 'Letter ${EXPORTER_MESSAGES}', 4, ${now - 300 * 24 * hour}, 0, 0, ${now - 365 * 24 * hour});`,
    `INSERT INTO messages (conversation_id, sender_id, recipient_id, body, created_at)
      WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ${EXPORTER_MESSAGES})
      SELECT 2, 4, 3, 'Letter ' || n, ${now - 365 * 24 * hour} + n * 1000 FROM seq;`,
  ]
  for (let n = 0; n < ALICE_POSTS; n++) {
    const body =
      n === 0 ? FRESH_POST : `Alice post number ${ALICE_POSTS - n}: notes on gardens, bread and keyset pagination.`
    const at = n === 0 ? now - 5 * 60 * 1000 : now - n * 7 * hour
    lines.push(`INSERT INTO posts (user_id, body, language, created_at) VALUES (1, ${quote(body)}, 'en', ${at});`)
  }
  lines.push(
    `INSERT INTO posts (user_id, body, language, created_at) VALUES (2, 'Bob here, mostly reading.', 'en', ${now - 3 * 24 * hour});`,
    // A Spanish post low on the first page of explore, so English readers get a Translate button there.
    `INSERT INTO posts (user_id, body, language, created_at) VALUES (2, ${quote(SPANISH_POST)}, 'es', ${now - 6 * 24 * hour});`,
    // Fan out and count, as the app does on write (see scripts/seed.mjs).
    ...DERIVED_ROWS_SQL.map((statement) => `${statement};`),
  )
  return lines.join('\n') + '\n'
}
