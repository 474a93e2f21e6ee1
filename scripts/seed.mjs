// Loads a small demo community into the local D1 database, once.
// Usage: node scripts/seed.mjs  (to start over: delete .wrangler/state, then npm start)
import { DERIVED_ROWS_SQL, hashPassword, prng } from './sql-helpers.mjs'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { wrangler } from './wrangler.mjs'

export const DEMO_PASSWORD = 'microblog-demo'
export const DEMO_USER = 'susan'

const PEOPLE = [
  ['susan', 'Gardener, tea drinker, reads too many novels.'],
  ['john', 'Backend developer. Coffee-powered.'],
  ['mary', 'Runner and weekend baker.'],
  ['david', 'Photographer chasing the golden hour.'],
  ['ana', 'Learning Rust one borrow at a time.'],
  ['lucas', 'Cyclist. Maps nerd.'],
  ['priya', 'Data scientist who loves board games.'],
  ['kenji', 'Makes ramen and small web apps.'],
  ['fatima', 'Teacher. Birdwatcher. Optimist.'],
  ['oliver', 'Amateur astronomer.'],
  ['chloe', 'Designer who cares about typography.'],
  ['mateo', 'Plays bass in a garage band.'],
]

const OPENERS = [
  'Just finished',
  'Thinking about',
  'Finally tried',
  'Spent the morning on',
  'Anyone else enjoying',
  'Quick note on',
  'Small win today:',
  'Reading about',
  'Can recommend',
  'Still working on',
]
const TOPICS = [
  'a long walk by the river',
  'the new sourdough recipe',
  'keyset pagination in SQLite',
  'a rainy afternoon with a good book',
  'my tiny balcony garden',
  'the night sky without clouds',
  'a bike ride up the hill',
  'hypermedia and htmx',
  'a very strong espresso',
  'the photos from last weekend',
  'a board game marathon',
  'fixing a flaky test',
  'the first tomatoes of the year',
  'a new bass line',
  'typography on small screens',
]
const CLOSERS = [
  '',
  ' 🙂',
  ' Highly recommended.',
  ' More soon.',
  ' What do you think?',
  ' Worth it.',
  ' https://example.com/notes',
]

// Demo users have no saved language, so the site follows each visitor's browser.
const SPANISH = [
  'Hoy fui al mercado temprano y compré fruta fresca para toda la semana, qué maravilla de mañana.',
  'Estoy aprendiendo a hacer pan de masa madre y por fin me salió una miga esponjosa y rica.',
  'Esta tarde salimos en bicicleta por la costa y el viento nos acompañó durante todo el camino.',
  'Me encanta leer novelas de misterio cuando llueve, con una taza de té caliente al lado.',
]

function sql(value) {
  if (value === null) return 'NULL'
  if (typeof value === 'number') return String(value)
  return `'${String(value).replaceAll("'", "''")}'`
}

export function buildSeedSql(now = Date.now()) {
  const random = prng(42)
  const hash = hashPassword(DEMO_PASSWORD)
  const lines = ['PRAGMA defer_foreign_keys = on;']
  const day = 24 * 3600 * 1000
  PEOPLE.forEach(([username, about], i) => {
    const id = i + 1
    const created = now - 60 * day + i * 3600 * 1000
    const lastSeen = now - Math.floor(random() * 3 * day)
    lines.push(
      `INSERT INTO users (id, username, email, password_hash, about_me, language, last_seen_at, created_at) VALUES (${id}, ${sql(username)}, ${sql(`${username}@example.com`)}, ${sql(hash)}, ${sql(about)}, NULL, ${lastSeen}, ${created});`,
    )
  })
  // Everyone follows 3–6 others.
  const edges = new Set()
  PEOPLE.forEach((_, i) => {
    const count = 3 + Math.floor(random() * 4)
    while ([...edges].filter((e) => e.startsWith(`${i + 1}:`)).length < count) {
      const other = 1 + Math.floor(random() * PEOPLE.length)
      if (other !== i + 1) edges.add(`${i + 1}:${other}`)
    }
  })
  for (const edge of edges) {
    const [a, b] = edge.split(':')
    lines.push(`INSERT INTO follows (follower_id, followed_id, created_at) VALUES (${a}, ${b}, ${now - 30 * day});`)
  }
  // ~300 posts over the last eight weeks, newest a few minutes ago.
  for (let n = 0; n < 300; n++) {
    const author = 1 + Math.floor(random() * PEOPLE.length)
    const age = n === 0 ? 5 * 60 * 1000 : Math.floor(random() * 56 * day)
    const body = `${OPENERS[Math.floor(random() * OPENERS.length)]} ${TOPICS[Math.floor(random() * TOPICS.length)]}.${CLOSERS[Math.floor(random() * CLOSERS.length)]}`
    lines.push(
      `INSERT INTO posts (user_id, body, language, created_at) VALUES (${author}, ${sql(body)}, 'en', ${now - age});`,
    )
  }
  // A few Spanish posts, so readers in other languages see the Translate link.
  SPANISH.forEach((body, n) => {
    const author = 1 + ((n * 5) % PEOPLE.length)
    lines.push(
      `INSERT INTO posts (user_id, body, language, created_at) VALUES (${author}, ${sql(body)}, 'es', ${now - (n + 1) * 7 * 3600 * 1000});`,
    )
  })
  // Fan the posts out to timelines and settle the counters, as the app would have.
  lines.push(...DERIVED_ROWS_SQL.map((statement) => `${statement};`))
  return lines.join('\n') + '\n'
}

/** `persistArgs`: e.g. `['--persist-to', dir]`, to seed the database kept in another folder. */
export function seedIfEmpty(persistArgs = []) {
  const out = wrangler(
    ['d1', 'execute', 'DB', '--local', ...persistArgs, '--json', '--command', 'SELECT count(*) AS n FROM users'],
    {
      quiet: true,
    },
  )
  const count = JSON.parse(out)[0]?.results?.[0]?.n ?? 0
  if (count > 0) {
    console.log(`Demo data: skipped (the local database already has ${count} users).`)
    return
  }
  const dir = join(process.cwd(), '.wrangler')
  mkdirSync(dir, { recursive: true })
  const file = join(dir, 'seed.sql')
  writeFileSync(file, buildSeedSql())
  // `d1 execute --file` prints every statement's result (thousands of lines of JSON): keep
  // it unless it fails, and say in one line what was loaded, so the demo login stays visible.
  wrangler(['d1', 'execute', 'DB', '--local', ...persistArgs, `--file=${file}`], { quiet: true })
  const counts = JSON.parse(
    wrangler(
      [
        'd1',
        'execute',
        'DB',
        '--local',
        ...persistArgs,
        '--json',
        '--command',
        'SELECT (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM posts) AS posts, (SELECT count(*) FROM follows) AS follows',
      ],
      { quiet: true },
    ),
  )[0]?.results?.[0]
  console.log(
    `Demo data loaded: ${counts?.users} users, ${counts?.posts} posts, ${counts?.follows} follows — log in as "${DEMO_USER}" with password "${DEMO_PASSWORD}".`,
  )
}

if (import.meta.url === `file://${process.argv[1]}`) {
  seedIfEmpty()
}
