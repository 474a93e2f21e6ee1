// Checks that package-lock.json lists, for every package with platform-specific optional
// binaries (workerd, esbuild, sharp, rolldown...), the package of every platform — not only
// the one of the machine that wrote the lock. npm resolves such a lock on macOS or Windows
// without asking the registry for a fresh tree only when those entries are present.
// Usage: node scripts/check-lockfile.mjs   (exit 1 and the missing entries if any)
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { root } from './wrangler.mjs'

const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'))
const packages = lock.packages ?? {}

/** Where node would find `name` from the package at `from` (nested node_modules, then up). */
function resolves(from, name) {
  let base = from
  for (;;) {
    if (packages[`${base ? `${base}/` : ''}node_modules/${name}`]) return true
    if (!base) return false
    const cut = base.lastIndexOf('/node_modules/')
    base = cut === -1 ? '' : base.slice(0, cut)
  }
}

const missing = []
let checked = 0
for (const [path, meta] of Object.entries(packages)) {
  for (const name of Object.keys(meta.optionalDependencies ?? {})) {
    checked += 1
    if (!resolves(path, name)) missing.push(`${path || '(root)'} → ${name}`)
  }
}
if (missing.length > 0) {
  console.error(`package-lock.json lacks ${missing.length} optional packages:\n  ${missing.join('\n  ')}`)
  console.error('Regenerate it on any machine: rm -rf node_modules package-lock.json && npm install')
  process.exit(1)
}
console.log(`package-lock.json: all ${checked} optional (per-platform) dependencies are listed.`)
