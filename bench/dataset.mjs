// The benchmark's data set: the reference shape (1,001 users, 20 follows each, 50,000 posts
// over a year), generated deterministically or read from CSV files in the format of
// ../shared/bench-data, and written into D1 the way the app would have left it.
import { DERIVED_ROWS_SQL, hashPassword, prng } from '../scripts/sql-helpers.mjs'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

export const BENCH_USER = 'bench'
export const BENCH_PASSWORD = 'benchpass123'
export const OTHER_PASSWORD = 'password123'

const USERS = 1001
const FOLLOWS_EACH = 20
const POSTS = 50_000
const YEAR_START = Date.UTC(2024, 0, 1)
const YEAR_END = Date.UTC(2025, 0, 1)
/** Follow edges carry no time in the CSV files; they are dated before the first post. */
const FOLLOWS_AT = Date.UTC(2023, 11, 1)

const WORDS = (
  'about after again coffee morning evening weekend lunch dinner rain sun walk read book write ' +
  'code test ship fix learn game music train city park river garden bread tea work home idea ' +
  'plan day night week year friend team project database query index page timeline post follow ' +
  'small quick slow good great still just really never always maybe today tomorrow finally'
).split(' ')

function sentence(random, minLength, maxLength) {
  const target = minLength + Math.floor(random() * (maxLength - minLength + 1))
  let text = ''
  while (text.length < target) {
    const word = WORDS[Math.floor(random() * WORDS.length)]
    text = text ? `${text} ${word}` : word[0].toUpperCase() + word.slice(1)
  }
  return text.slice(0, target - 1).trimEnd() + '.'
}

/** The reference shape, deterministic for a given seed. */
export function generateDataset(seed = 2024) {
  const random = prng(seed)
  const users = []
  for (let id = 1; id <= USERS; id++) {
    const username = id === 1 ? BENCH_USER : `user${String(id - 1).padStart(4, '0')}`
    users.push({
      id,
      username,
      email: `${username}@example.com`,
      aboutMe: id === 1 ? 'Benchmark account' : '',
      lastSeenAt: YEAR_END - 1 - Math.floor(random() * 30 * 24 * 3600 * 1000),
      createdAt: FOLLOWS_AT - (USERS - id) * 60_000,
    })
  }
  const follows = []
  for (let id = 1; id <= USERS; id++) {
    const chosen = new Set()
    while (chosen.size < FOLLOWS_EACH) {
      const other = 1 + Math.floor(random() * USERS)
      if (other !== id) chosen.add(other)
    }
    for (const other of chosen) follows.push([id, other])
  }
  const times = []
  for (let n = 0; n < POSTS; n++) times.push(YEAR_START + Math.floor(random() * (YEAR_END - YEAR_START)))
  times.sort((a, b) => a - b)
  const posts = times.map((createdAt, n) => ({
    id: n + 1,
    userId: 1 + Math.floor(random() * USERS),
    body: sentence(random, 126, 140),
    language: 'en',
    createdAt,
  }))
  return { source: `generated (seed ${seed})`, users, follows, posts }
}

/** RFC 4180 CSV: a header row, then records; quoted fields may hold commas, quotes, newlines. */
export function parseCsv(text) {
  const rows = []
  let row = []
  let field = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"'
        i++
      } else if (ch === '"') quoted = false
      else field += ch
    } else if (ch === '"') quoted = true
    else if (ch === ',') {
      row.push(field)
      field = ''
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++
      row.push(field)
      rows.push(row)
      row = []
      field = ''
    } else field += ch
  }
  if (field !== '' || row.length) rows.push([...row, field])
  const [header, ...records] = rows.filter((r) => r.length > 1 || r[0] !== '')
  return records.map((record) => Object.fromEntries(header.map((name, i) => [name, record[i] ?? ''])))
}

/** `2024-09-26 02:13:48.736005` (UTC) → epoch milliseconds. */
function parseUtc(value) {
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?/.exec(value)
  if (!m) throw new Error(`bad timestamp: ${value}`)
  const ms = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0
  return Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6], ms)
}

/** Reads users.csv, followers.csv and posts.csv (see ../shared/bench-data/README.md). */
export function loadCsvDataset(dir) {
  const read = (name) => parseCsv(readFileSync(join(dir, name), 'utf8'))
  const users = read('users.csv').map((u) => {
    const lastSeenAt = parseUtc(u.last_seen)
    return {
      id: Number(u.id),
      username: u.username,
      email: u.email.toLowerCase(),
      aboutMe: u.about_me ?? '',
      lastSeenAt,
      createdAt: Math.min(lastSeenAt, FOLLOWS_AT - (USERS - Number(u.id)) * 60_000),
    }
  })
  const follows = read('followers.csv').map((f) => [Number(f.follower_id), Number(f.followed_id)])
  const posts = read('posts.csv').map((p) => ({
    id: Number(p.id),
    userId: Number(p.user_id),
    body: p.body,
    language: p.language || null,
    createdAt: parseUtc(p.timestamp),
  }))
  return { source: dir, users, follows, posts }
}

function literal(value) {
  if (value === null || value === undefined) return 'NULL'
  if (typeof value === 'number') return String(value)
  return `'${String(value).replaceAll("'", "''")}'`
}

/**
 * Multi-row INSERTs with literal values, ~90 KB each: through Miniflare's binding proxy one
 * big statement is far faster than thousands of small bound ones.
 */
async function insertRows(db, head, rows) {
  let chunk = []
  let size = 0
  const flush = async () => {
    if (chunk.length) await db.prepare(`${head} VALUES ${chunk.join(',')}`).run()
    chunk = []
    size = 0
  }
  for (const row of rows) {
    const text = `(${row.map(literal).join(',')})`
    chunk.push(text)
    size += text.length + 1
    if (size > 90_000) await flush()
  }
  await flush()
}

/**
 * Runs an idempotent statement, again if Miniflare's binding proxy drops the connection:
 * on a loaded machine the call after a long statement (the fan-out takes 10–20 s) can fail
 * with "fetch failed: other side closed" although the database is fine.
 */
async function idempotent(run, tries = 3) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run()
    } catch (error) {
      if (attempt >= tries || !/fetch failed/.test(String(error?.message))) throw error
      console.log(`[bench] D1 call failed (${error.message}); retrying`)
    }
  }
}

/**
 * Writes the data set into an empty, migrated D1, then does what the app does on write:
 * fans every post out into `timeline_entries` (followers and the author) and settles the
 * counters on `users` (the same SQL as scripts/seed.mjs).
 */
export async function writeDataset(db, data) {
  const benchHash = hashPassword(BENCH_PASSWORD)
  const otherHash = hashPassword(OTHER_PASSWORD)
  await insertRows(
    db,
    'INSERT INTO users (id, username, email, password_hash, about_me, language, last_seen_at, created_at)',
    data.users.map((u) => [
      u.id,
      u.username,
      u.email,
      u.username === BENCH_USER ? benchHash : otherHash,
      u.aboutMe,
      'en',
      u.lastSeenAt,
      u.createdAt,
    ]),
  )
  await insertRows(
    db,
    'INSERT INTO follows (follower_id, followed_id, created_at)',
    data.follows.map(([a, b], i) => [a, b, FOLLOWS_AT + i]),
  )
  // The search index's insert trigger makes 50,000 single-row index updates; under load that
  // stalled Miniflare's D1. Loaded without it, the index is then built in one pass by the
  // back-fill of migration 0007 ('rebuild'), and the trigger put back as it was.
  const trigger = await db
    .prepare(`SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'posts_fts_after_insert'`)
    .first('sql')
  if (trigger) await db.prepare('DROP TRIGGER posts_fts_after_insert').run()
  await insertRows(
    db,
    'INSERT INTO posts (id, user_id, body, language, created_at)',
    data.posts.map((p) => [p.id, p.userId, p.body, p.language, p.createdAt]),
  )
  if (trigger) {
    await db.prepare(trigger).run()
    await db.prepare(`INSERT INTO posts_fts (posts_fts) VALUES ('rebuild')`).run()
  }
  for (const statement of DERIVED_ROWS_SQL) {
    await idempotent(() => db.prepare(statement).run())
  }
  const count = async (table) => (await db.prepare(`SELECT count(*) AS n FROM ${table}`).first('n')) ?? 0
  return {
    users: await count('users'),
    follows: await count('follows'),
    posts: await count('posts'),
    timelineEntries: await count('timeline_entries'),
  }
}

/**
 * Private messages for the `messages` and `thread` rows: the bench user has `conversations`
 * conversations (more than an inbox page), all but one with a single unread message, and a
 * read thread of `threadLength` messages with `peerUsername` (more than a thread page).
 * Written as the app would have left them: conversation rows and the badge count settled.
 */
export async function writeMessages(db, peerUsername, conversations = 60, threadLength = 80) {
  const idOf = (name) => db.prepare('SELECT id FROM users WHERE username = ?').bind(name).first('id')
  const bench = await idOf(BENCH_USER)
  const peer = await idOf(peerUsername)
  const { results } = await db
    .prepare('SELECT id FROM users WHERE id NOT IN (?, ?) ORDER BY id LIMIT ?')
    .bind(bench, peer, conversations - 1)
    .all()
  const partners = [peer, ...results.map((row) => row.id)]
  const conversationRows = []
  const messageRows = []
  partners.forEach((other, i) => {
    const id = i + 1
    const count = other === peer ? threadLength : 1
    const start = YEAR_END + i * 100_000
    let last
    for (let k = 0; k < count; k++) {
      const fromOther = k % 2 === 0 || other !== peer
      const row = [
        id,
        fromOther ? other : bench,
        fromOther ? bench : other,
        `Message ${k + 1}: ${WORDS[k % WORDS.length]}.`,
        start + k,
      ]
      messageRows.push(row)
      last = row
    }
    // The peer's thread is read (a steady-state page load writes nothing); the others are not.
    const benchUnread = other === peer ? 0 : 1
    const benchIsA = bench < other
    conversationRows.push([
      id,
      Math.min(bench, other),
      Math.max(bench, other),
      last[3],
      last[1],
      last[4],
      benchIsA ? benchUnread : 0,
      benchIsA ? 0 : benchUnread,
      other === peer ? last[4] : 0,
      other === peer ? last[4] : 0,
      start,
    ])
  })
  await insertRows(
    db,
    'INSERT INTO conversations (id, user_a_id, user_b_id, last_message_body, last_sender_id, last_message_at, a_unread, b_unread, a_last_read_at, b_last_read_at, created_at)',
    conversationRows,
  )
  await insertRows(db, 'INSERT INTO messages (conversation_id, sender_id, recipient_id, body, created_at)', messageRows)
  await db
    .prepare('UPDATE users SET unread_message_count = ? WHERE id = ?')
    .bind(partners.length - 1, bench)
    .run()
  return { conversations: conversationRows.length, messages: messageRows.length }
}
