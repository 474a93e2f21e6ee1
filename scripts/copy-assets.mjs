// Copies browser assets from installed packages into public/ (no CDN at run time).
// Runs on `npm install` (the `prepare` script).
import { copyFileSync, mkdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const require = createRequire(import.meta.url)
const htmxDir = dirname(require.resolve('htmx.org/package.json'))
mkdirSync(join(root, 'public/js'), { recursive: true })
copyFileSync(join(htmxDir, 'dist/htmx.min.js'), join(root, 'public/js/htmx.min.js'))
console.log('copied htmx.min.js to public/js/')
