// Small helpers to run the project's own wrangler from scripts.
import { spawnSync } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const root = join(dirname(fileURLToPath(import.meta.url)), '..')
export const wranglerBin = join(root, 'node_modules/wrangler/bin/wrangler.js')

/** Runs wrangler with the current Node (the project's Node 24), failing loudly. */
export function wrangler(args, { capture = false } = {}) {
  const result = spawnSync(process.execPath, [wranglerBin, ...args], {
    stdio: capture ? ['ignore', 'pipe', 'inherit'] : 'inherit',
    encoding: 'utf8',
    // CI=true answers wrangler's "apply migrations?" prompt.
    env: { ...process.env, CI: 'true', WRANGLER_SEND_METRICS: 'false' },
  })
  if (result.status !== 0) {
    throw new Error(`wrangler ${args.join(' ')} exited with ${result.status}`)
  }
  return result.stdout
}
