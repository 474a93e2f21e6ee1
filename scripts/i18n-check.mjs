// `npm run i18n:check`: every catalog in locales/ has exactly the keys of en.json, with the
// same shape and {params}; every en key is used somewhere in src/; and no view (.tsx) has
// user-visible text written in instead of t(). Prints each problem and exits 1 on any.
// The checks themselves live in src/lib/i18n-check.ts (pure, shared with the tests).
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { checkCatalogs, findLiteralText, formatProblem } from './i18n-check-rules.ts'

const root = fileURLToPath(new URL('..', import.meta.url))

const catalogs = {}
for (const name of readdirSync(join(root, 'locales')).sort()) {
  if (!name.endsWith('.json')) continue
  const path = join(root, 'locales', name)
  try {
    catalogs[name.slice(0, -'.json'.length)] = JSON.parse(readFileSync(path, 'utf8'))
  } catch (error) {
    console.error(`locales/${name}: not valid JSON: ${error.message}`)
    process.exit(1)
  }
}

const sources = {}
for (const entry of readdirSync(join(root, 'src'), { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || !/\.(ts|tsx)$/.test(entry.name)) continue
  const path = join(entry.parentPath, entry.name)
  sources[relative(root, path)] = readFileSync(path, 'utf8')
}

const problems = checkCatalogs({ catalogs, sources })
for (const [file, text] of Object.entries(sources)) {
  if (file.endsWith('.tsx')) problems.push(...findLiteralText(file, text))
}

const languages = Object.keys(catalogs).join(', ')
const keyCount = Object.keys(catalogs.en ?? {}).length
if (problems.length === 0) {
  console.log(`i18n:check ok: ${languages}; ${keyCount} keys, all used; ${Object.keys(sources).length} source files.`)
} else {
  for (const problem of problems) console.error(formatProblem(problem))
  console.error(`i18n:check failed: ${problems.length} problem(s) in ${languages}.`)
  process.exit(1)
}
