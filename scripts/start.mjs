// `npm start`: apply local D1 migrations, load demo data on the first run, serve with
// `wrangler dev` on http://localhost:8787. Works offline, with no Cloudflare account.
//
//   npm start                       port 8787 (or $PORT)
//   PORT=8800 npm start             another port
//   npm start -- --port 8800        the same; any other `wrangler dev` option passes through too
import { spawn } from 'node:child_process'
import { hashAssets } from './hash-assets.mjs'
import { seedIfEmpty } from './seed.mjs'
import { wrangler, wranglerBin, wranglerEnv } from './wrangler.mjs'

/** Whether the user's own arguments already set an option (`--port 1`, `--port=1`, `-p 1`). */
function hasOption(args, names) {
  return args.some((arg) => names.some((name) => arg === name || arg.startsWith(`${name}=`)))
}

const userArgs = process.argv.slice(2)
const defaults = []
if (!hasOption(userArgs, ['--port', '-p'])) defaults.push('--port', process.env.PORT || '8787')
if (!hasOption(userArgs, ['--ip'])) defaults.push('--ip', '127.0.0.1')

/** `--persist-to DIR` (or `=DIR`) keeps the local state elsewhere: migrate and seed that one. */
function persistArgs(args) {
  const at = args.findIndex((arg) => arg === '--persist-to' || arg.startsWith('--persist-to='))
  if (at === -1) return []
  return args[at].includes('=') ? [args[at]] : args.slice(at, at + 2)
}
const persist = persistArgs(userArgs)

// The layout links content-hashed CSS/JS: bring them up to date with the sources.
hashAssets()
const applied = wrangler(['d1', 'migrations', 'apply', 'DB', '--local', ...persist], { quiet: true })
const names = [...new Set(applied.match(/\b\d{4}_[\w-]+\.sql\b/g) ?? [])]
console.log(
  names.length > 0
    ? `Local database: applied ${names.length} migrations (${names[0]} … ${names.at(-1)}).`
    : 'Local database: migrations up to date.',
)
seedIfEmpty(persist)

// wrangler dev is interactive (its key shortcuts): CI=true is only for the commands above.
const { CI: _ci, ...devEnv } = wranglerEnv
if (process.env.CI) devEnv.CI = process.env.CI
const child = spawn(process.execPath, [wranglerBin, 'dev', ...defaults, ...userArgs], { stdio: 'inherit', env: devEnv })
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => child.kill(signal))
}
child.on('exit', (code) => process.exit(code ?? 0))
