// `npm start`: apply local D1 migrations, load demo data on the first run, serve with
// `wrangler dev` on http://localhost:8787. Works offline, with no Cloudflare account.
import { spawn } from 'node:child_process'
import { seedIfEmpty } from './seed.mjs'
import { wrangler, wranglerBin } from './wrangler.mjs'

wrangler(['d1', 'migrations', 'apply', 'DB', '--local'])
seedIfEmpty()

const port = process.env.PORT ?? '8787'
const child = spawn(
  process.execPath,
  [wranglerBin, 'dev', '--port', port, '--ip', '127.0.0.1', ...process.argv.slice(2)],
  {
    stdio: 'inherit',
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
  },
)
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => child.kill(signal))
}
child.on('exit', (code) => process.exit(code ?? 0))
