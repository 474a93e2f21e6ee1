// Small helpers to run the project's own wrangler from scripts.
import { spawnSync } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const root = join(dirname(fileURLToPath(import.meta.url)), '..')
export const wranglerBin = join(root, 'node_modules/wrangler/bin/wrangler.js')

/**
 * The environment every wrangler run gets: CI=true answers the "apply migrations?" prompt, no
 * metrics, and no fetch of the `Request.cf` sample object (offline it only printed an error
 * and fell back to a placeholder; the app reads nothing from `request.cf`).
 */
export const wranglerEnv = {
  ...process.env,
  CI: 'true',
  WRANGLER_SEND_METRICS: 'false',
  CLOUDFLARE_CF_FETCH_ENABLED: 'false',
}

/**
 * Runs wrangler with the current Node (the project's Node 24), failing loudly. `capture`
 * returns stdout (stderr still shown); `quiet` keeps both and prints them only on failure.
 */
export function wrangler(args, { capture = false, quiet = false } = {}) {
  const result = spawnSync(process.execPath, [wranglerBin, ...args], {
    stdio: quiet ? ['ignore', 'pipe', 'pipe'] : capture ? ['ignore', 'pipe', 'inherit'] : 'inherit',
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: wranglerEnv,
  })
  if (result.status !== 0) {
    if (quiet) process.stderr.write(`${result.stdout ?? ''}${result.stderr ?? ''}`)
    throw new Error(`wrangler ${args.join(' ')} exited with ${result.status}`)
  }
  return result.stdout
}
