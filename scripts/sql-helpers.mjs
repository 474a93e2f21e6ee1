// Helpers for the Node scripts that write rows straight into D1 (demo data, browser-test
// data, benchmark data). The app itself hashes with src/lib/password.ts; this writes the
// same format, `scrypt$N$r$p$salt$hash`, with the same parameters.
import { randomBytes, scryptSync } from 'node:crypto'

export function hashPassword(password) {
  const N = 16384
  const r = 8
  const p = 5
  const salt = randomBytes(16)
  const key = scryptSync(password.normalize('NFKC'), salt, 32, { N, r, p, maxmem: 256 * N * r })
  return ['scrypt', N, r, p, salt.toString('base64'), key.toString('base64')].join('$')
}

/** mulberry32: a small deterministic PRNG, so generated data is the same on every run. */
export function prng(seed) {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * What the app derives on write, rebuilt for rows loaded in bulk: every post fanned out to
 * its author's and followers' timelines, and the counters on each user. One statement each
 * (no trailing semicolon), for `wrangler d1 execute --file` or a D1 `prepare()`.
 */
export const DERIVED_ROWS_SQL = [
  `INSERT OR IGNORE INTO timeline_entries (owner_id, post_id, author_id, created_at)
   SELECT f.follower_id, p.id, p.user_id, p.created_at FROM posts p JOIN follows f ON f.followed_id = p.user_id`,
  `INSERT OR IGNORE INTO timeline_entries (owner_id, post_id, author_id, created_at)
   SELECT p.user_id, p.id, p.user_id, p.created_at FROM posts p`,
  `UPDATE users SET
     post_count = (SELECT count(*) FROM posts WHERE user_id = users.id),
     follower_count = (SELECT count(*) FROM follows WHERE followed_id = users.id),
     following_count = (SELECT count(*) FROM follows WHERE follower_id = users.id)`,
]
