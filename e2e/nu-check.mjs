// The W3C Nu HTML Checker (npm `vnu-jar`, run with the machine's Java) over every page the
// browser suite loaded, in one run. `npm run e2e` calls it after the tests; it can also be
// run by hand on a folder kept with E2E_KEEP_HTML=1: `node e2e/nu-check.mjs <folder>`.
// Prints each error as "page URL (test file) line:col message" and returns the error count.
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const vnuJar = String(createRequire(import.meta.url)('vnu-jar'))

/** The pages captured by e2e/html-capture.mjs: file name → the URLs and tests that loaded it. */
function readIndex(dir) {
  const pages = new Map()
  const index = join(dir, 'index.jsonl')
  if (!existsSync(index)) return pages
  for (const line of readFileSync(index, 'utf8').split('\n')) {
    if (!line) continue
    const entry = JSON.parse(line)
    const seen = pages.get(entry.file) ?? []
    if (!seen.some((s) => s.url === entry.url)) seen.push(entry)
    pages.set(entry.file, seen)
  }
  return pages
}

/** Runs the checker; returns { pages, errors } and prints a report. */
export function nuCheck(dir, log = console.log) {
  const pages = readIndex(dir)
  if (pages.size === 0) throw new Error(`no pages were kept in ${dir}: did the browser tests run?`)
  const java = spawnSync('java', ['-version'], { encoding: 'utf8' })
  if (java.error || java.status !== 0) {
    throw new Error("the Nu HTML Checker needs Java: install Debian's default-jre-headless (`.ci/run` does)")
  }
  const files = [...pages.keys()].map((file) => join(dir, file))
  const result = spawnSync(
    'java',
    [
      '-Xss4m',
      '-jar',
      vnuJar,
      '--errors-only',
      '--no-langdetect',
      '--exit-zero-always',
      '--format',
      'json',
      '--stdout',
      ...files,
    ],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  )
  if (result.status !== 0) throw new Error(`vnu.jar exited with ${result.status}: ${result.stderr}`)
  const messages = JSON.parse(result.stdout).messages ?? []
  const errors = messages.filter((m) => m.type === 'error' || m.type === 'non-document-error')
  for (const message of errors) {
    const file = message.url ? fileURLToPath(message.url).split('/').pop() : ''
    const where = (pages.get(file) ?? []).map((p) => `${p.url} [${p.status}, ${p.test}]`).join(', ') || file
    const at = message.lastLine ? ` line ${message.lastLine}:${message.firstColumn ?? message.lastColumn}` : ''
    log(`[nu] ERROR ${where}${at}: ${message.message}`)
    if (message.extract) log(`[nu]       …${message.extract.replace(/\s+/g, ' ').trim()}…`)
  }
  const missedFile = join(dir, 'missed.jsonl')
  if (existsSync(missedFile)) {
    for (const line of readFileSync(missedFile, 'utf8').split('\n').filter(Boolean)) {
      const { url, test } = JSON.parse(line)
      log(`[nu] not checked: ${url} [${test}] (the test moved on before its HTML could be read)`)
    }
  }
  const urls = new Set([...pages.values()].flat().map((p) => p.url))
  log(`[nu] Nu HTML Checker: ${errors.length} errors in ${pages.size} distinct documents (${urls.size} URLs)`)
  return { pages: pages.size, errors: errors.length }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = process.argv[2]
  if (!dir) throw new Error('usage: node e2e/nu-check.mjs <folder with index.jsonl>')
  process.exit(nuCheck(dir).errors === 0 ? 0 : 1)
}
