// Bytes per row of timeline_entries (table and each index) before and after migration 0011,
// measured with SQLite's dbstat on the bench data set. Needs the sqlite3 command-line shell
// (built with dbstat, as Debian's is). Usage: node bench/dbstat.mjs [--data DIR]
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { DERIVED_ROWS_SQL } from '../scripts/sql-helpers.mjs'
import { generateDataset, loadCsvDataset } from './dataset.mjs'

const AFTER = '0011_fanout.sql'
const dataArg = process.argv.indexOf('--data')
const data = dataArg > 0 ? loadCsvDataset(resolve(process.argv[dataArg + 1])) : generateDataset()
const dir = mkdtempSync(join(tmpdir(), 'microblog-dbstat-'))
const file = join(dir, 'bench.sqlite')

function sqlite(input) {
  const script = join(dir, 'input.sql')
  writeFileSync(script, input)
  return execFileSync('sqlite3', ['-bail', '-json', file, `.read ${script}`], { encoding: 'utf8', maxBuffer: 1 << 28 })
}

const quote = (value) => (typeof value === 'number' ? String(value) : `'${String(value).replaceAll("'", "''")}'`)
function inserts(head, rows) {
  const out = []
  for (let i = 0; i < rows.length; i += 500) {
    out.push(
      `${head} VALUES ${rows
        .slice(i, i + 500)
        .map((row) => `(${row.map(quote).join(',')})`)
        .join(',')};`,
    )
  }
  return out.join('\n')
}

const migrations = readdirSync('migrations')
  .filter((name) => name.endsWith('.sql'))
  .sort()
const before = migrations.filter((name) => name < AFTER)
sqlite(before.map((name) => readFileSync(join('migrations', name), 'utf8')).join(';\n'))
sqlite(
  [
    'BEGIN;',
    inserts(
      'INSERT INTO users (id, username, email, password_hash, created_at, last_seen_at)',
      data.users.map((u) => [u.id, u.username, u.email, 'x', u.createdAt, u.lastSeenAt]),
    ),
    inserts(
      'INSERT INTO follows (follower_id, followed_id, created_at)',
      data.follows.map(([a, b], i) => [a, b, i]),
    ),
    inserts(
      'INSERT INTO posts (id, user_id, body, language, created_at)',
      data.posts.map((p) => [p.id, p.userId, p.body, p.language, p.createdAt]),
    ),
    ...DERIVED_ROWS_SQL.map((statement) => `${statement};`),
    'COMMIT;',
  ].join('\n'),
)

function measure(label) {
  sqlite('VACUUM;')
  const rows = JSON.parse(sqlite('SELECT count(*) AS n FROM timeline_entries;'))[0].n
  const stats = JSON.parse(
    sqlite(`SELECT d.name, m.type, SUM(d.pgsize) AS bytes, SUM(d.payload) AS payload, count(*) AS pages
      FROM dbstat d JOIN sqlite_master m ON m.name = d.name
      WHERE m.tbl_name = 'timeline_entries' GROUP BY d.name ORDER BY m.type DESC, d.name;`),
  )
  const total = stats.reduce((sum, s) => sum + s.bytes, 0)
  console.log(`\n${label}: ${rows} rows in timeline_entries`)
  console.log('| b-tree | kind | bytes | bytes/row |')
  console.log('|---|---|---:|---:|')
  for (const s of stats) console.log(`| ${s.name} | ${s.type} | ${s.bytes} | ${(s.bytes / rows).toFixed(1)} |`)
  console.log(`| all | | ${total} | ${(total / rows).toFixed(1)} |`)
  return total / rows
}

const old = measure(`before ${AFTER}`)
sqlite(readFileSync(join('migrations', AFTER), 'utf8'))
const now = measure(`after ${AFTER}`)
console.log(`\n${((1 - now / old) * 100).toFixed(1)}% smaller per row (${old.toFixed(1)} → ${now.toFixed(1)} bytes)`)

/** Every table with its indexes (FTS shadow tables under their virtual table), for docs/scale.md. */
function measureAll() {
  const stats = JSON.parse(
    sqlite(`SELECT CASE WHEN m.tbl_name LIKE 'posts_fts%' THEN 'posts_fts (per post)' ELSE m.tbl_name END AS tbl,
        SUM(d.pgsize) AS bytes
      FROM dbstat d JOIN sqlite_master m ON m.name = d.name GROUP BY tbl ORDER BY bytes DESC;`),
  )
  const counts = JSON.parse(
    sqlite(`SELECT (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM posts) AS posts,
      (SELECT count(*) FROM follows) AS follows, (SELECT count(*) FROM timeline_entries) AS timeline_entries;`),
  )[0]
  const rowsOf = (tbl) => (tbl.startsWith('posts_fts') ? counts.posts : counts[tbl])
  const total = stats.reduce((sum, s) => sum + s.bytes, 0)
  console.log('\nthe whole database after 0011, each table with its indexes')
  console.log('| table | bytes | rows | bytes/row |')
  console.log('|---|---:|---:|---:|')
  for (const s of stats) {
    if (s.bytes < 64 * 1024 && rowsOf(s.tbl) === undefined) continue
    const rows = rowsOf(s.tbl)
    console.log(`| ${s.tbl} | ${s.bytes} | ${rows ?? ''} | ${rows ? (s.bytes / rows).toFixed(1) : ''} |`)
  }
  console.log(`| all | ${total} | | |`)
}
measureAll()
// The road not taken: deleting a post's copies by post_id instead of through the followers.
sqlite('CREATE INDEX timeline_post_idx ON timeline_entries (post_id);')
const variant = measure('variant: with an index on post_id (not shipped)')
console.log(`\nthe post_id index would add ${(variant - now).toFixed(1)} bytes/row`)
rmSync(dir, { recursive: true, force: true })
