// Shared helpers for the browser tests: Debian's Chromium through playwright-core, contexts
// that reach only the app, and the few user actions every test repeats.
/* global window */
import assert from 'node:assert/strict'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { chromium } from 'playwright-core'
import { captureHtml } from './html-capture.mjs'

export const BASE_URL = process.env.E2E_BASE_URL ?? ''
export const ARTIFACTS = process.env.E2E_ARTIFACTS ?? 'e2e/artifacts'
const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

if (!BASE_URL) throw new Error('E2E_BASE_URL is not set: run the suite with `npm run e2e`')

/** No sandbox (the tests run as root), and no background network calls (the machine has no network). */
const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

export function launchBrowser() {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_FLAGS })
}

/**
 * A browser context on the app. Requests anywhere else (Gravatar) are aborted: the machine
 * has no network, and the page must look right without them anyway. Every page it loads is
 * kept for the Nu HTML Checker (e2e/html-capture.mjs).
 */
let contexts = 0
export async function newContext(browser, options = {}) {
  contexts += 1
  const context = await browser.newContext({
    baseURL: BASE_URL,
    locale: 'en-US',
    timezoneId: 'UTC',
    viewport: { width: 1280, height: 800 },
    // Each context is its own client, as separate people would be: without this every
    // test shares 127.0.0.1 and the per-IP sign-up limit (10 an hour) stops the suite.
    extraHTTPHeaders: { 'CF-Connecting-IP': `198.51.100.${contexts % 250}`, ...options.extraHTTPHeaders },
    ...options,
  })
  context.setDefaultTimeout(15_000)
  await context.route(
    (url) => !url.href.startsWith(BASE_URL),
    (route) => route.abort(),
  )
  captureHtml(context, BASE_URL)
  return context
}

let counter = 0
/** A username no earlier run or test has used (3–32 of [A-Za-z0-9_]). */
export function uniqueName(prefix) {
  counter += 1
  return `${prefix}_${Date.now().toString(36)}${counter}`.slice(0, 32)
}

export const PASSWORD = 'e2e correct horse'

/** Registers over the UI; the app logs the new member in and lands on the home page. */
export async function register(page, username) {
  await page.goto('/auth/register')
  await page.fill('#field-username', username)
  await page.fill('#field-email', `${username.toLowerCase()}@example.com`)
  await page.fill('#field-password', PASSWORD)
  await page.fill('#field-password2', PASSWORD)
  await Promise.all([page.waitForURL(`${BASE_URL}/`), page.click('main form button[type=submit]')])
}

/** Logs in over the UI. */
export async function logIn(page, login, password) {
  await page.goto('/auth/login')
  await page.fill('#field-login', login)
  await page.fill('#field-password', password)
  await Promise.all([page.waitForURL(`${BASE_URL}/`), page.click('main form button[type=submit]')])
}

/** Logs out with the navigation's button (a POST form). */
export async function logOut(page) {
  await Promise.all([
    page.waitForURL(/\/auth\/login/),
    page.locator('header form[action="/auth/logout"] button').click(),
  ])
}

/** The number in a count text like "1,024 followers". */
export function countIn(text) {
  const match = /(\d[\d,.]*)/.exec(text ?? '')
  assert.ok(match, `no number in ${JSON.stringify(text)}`)
  return Number(match[1].replace(/[,.]/g, ''))
}

export function followersText(page) {
  return page.locator('.stats a[href$="/followers"]').textContent()
}

/** Marks the current document; `stillSamePage` is then false after any full navigation. */
export async function markPage(page) {
  await page.evaluate(() => {
    window.__e2eMarker = 'same document'
  })
}

export async function stillSamePage(page) {
  return page.evaluate(() => window.__e2eMarker === 'same document')
}

/** The post articles of the timeline, as { id, author, body }. */
export function timelinePosts(page) {
  return page.locator('#posts article.post').evaluateAll((articles) =>
    articles.map((article) => ({
      id: article.id,
      author: article.querySelector('.author')?.textContent?.trim(),
      body: article.querySelector('.post-body')?.textContent?.trim(),
    })),
  )
}

export function screenshotDir() {
  const dir = join(ARTIFACTS, 'screenshots')
  mkdirSync(dir, { recursive: true })
  return dir
}
