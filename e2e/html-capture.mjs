// Keeps the HTML source of every page the browser tests load, for the Nu HTML Checker that
// `npm run e2e` runs once after the suite (e2e/nu-check.mjs). Each document response from
// the app (top-level pages and frames, any status but redirects) is written as it arrived,
// before any script ran, to E2E_HTML_DIR with a line in its index.jsonl naming the URL and
// the test file. htmx fragments (XHR) are not documents and are not kept.
import { createHash } from 'node:crypto'
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs'
import { basename, join } from 'node:path'

const HTML_DIR = process.env.E2E_HTML_DIR ?? ''
const testFile = basename(process.argv[1] ?? 'unknown')

/** Starts keeping the context's documents; `context.close()` waits for the last ones. */
export function captureHtml(context, baseUrl) {
  if (!HTML_DIR) return
  mkdirSync(HTML_DIR, { recursive: true })
  const pending = new Set()
  context.on('response', (response) => {
    const request = response.request()
    if (request.resourceType() !== 'document' || !response.url().startsWith(baseUrl)) return
    const status = response.status()
    if (status >= 300 && status < 400) return
    if (!/^text\/html\b/i.test(response.headers()['content-type'] ?? '')) return
    const job = response.body().then(
      (body) => save(response.url(), status, body),
      (error) => {
        // Usually a test that navigated on before the page finished loading.
        console.warn(`[nu] could not keep the HTML of ${response.url()}: ${error.message}`)
        appendFileSync(join(HTML_DIR, 'missed.jsonl'), `${JSON.stringify({ url: response.url(), test: testFile })}\n`)
      },
    )
    pending.add(job)
    job.finally(() => pending.delete(job))
  })
  const close = context.close.bind(context)
  context.close = async (...args) => {
    await Promise.allSettled([...pending])
    return close(...args)
  }
}

function save(url, status, body) {
  // One file per distinct source: a page loaded twice with the same HTML is checked once.
  const file = `${createHash('sha256').update(body).digest('hex').slice(0, 20)}.html`
  writeFileSync(join(HTML_DIR, file), body)
  appendFileSync(join(HTML_DIR, 'index.jsonl'), `${JSON.stringify({ file, url, status, test: testFile })}\n`)
}
