// Copies browser assets from installed packages into public/ (no CDN at run time).
// Runs on `npm install` (the `prepare` script).
import { copyFileSync, mkdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { hashAssets } from './hash-assets.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const require = createRequire(import.meta.url)
const htmxDir = dirname(require.resolve('htmx.org/package.json'))
mkdirSync(join(root, 'public/js'), { recursive: true })
copyFileSync(join(htmxDir, 'dist/htmx.min.js'), join(root, 'public/js/htmx.min.js'))
// htmx 2's WebSocket extension from its own package (the copy inside htmx.org/dist/ext is
// the htmx 1 version), pinned in package.json.
const wsDir = dirname(require.resolve('htmx-ext-ws/package.json'))
copyFileSync(join(wsDir, 'dist/ws.min.js'), join(root, 'public/js/htmx-ext-ws.js'))
console.log('copied htmx.min.js and htmx-ext-ws.js to public/js/')

// Swagger UI for the API reference page (/api/docs), from the pinned swagger-ui-dist.
const swaggerDir = dirname(require.resolve('swagger-ui-dist/package.json'))
mkdirSync(join(root, 'public/vendor/swagger-ui'), { recursive: true })
for (const file of ['swagger-ui-bundle.js', 'swagger-ui.css']) {
  copyFileSync(join(swaggerDir, file), join(root, 'public/vendor/swagger-ui', file))
}
console.log('copied swagger-ui-bundle.js and swagger-ui.css to public/vendor/swagger-ui/')

// Content-hashed copies of public/css and public/js for immutable caching (scripts/hash-assets.mjs).
console.log(`hashed ${Object.keys(hashAssets()).length} CSS/JS files into public/assets/`)
