// Settings → Sessions in two browser contexts of one member: both listed (device, place,
// "This device"), one logged out from the other — its live socket closes at once and its
// next request lands on the login page.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { BASE_URL, PASSWORD, launchBrowser, logIn, newContext, register, uniqueName } from '../lib.mjs'

const FIREFOX_LINUX = 'Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0'
const SAFARI_IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1'

let browser
before(async () => {
  browser = await launchBrowser()
})
after(async () => {
  await browser?.close()
})

/** Resolves with the time the page's live socket closed. */
function socketClosed(page) {
  return new Promise((resolve) => {
    page.on('websocket', (socket) => {
      if (new URL(socket.url()).pathname === '/live') socket.on('close', () => resolve(Date.now()))
    })
  })
}

test('the sessions page lists two browsers; logging one out closes its socket and its next request', async () => {
  const laptop = await newContext(browser, { userAgent: FIREFOX_LINUX })
  const phone = await newContext(browser, { userAgent: SAFARI_IPHONE })
  const name = uniqueName('sessions')
  const a = await laptop.newPage()
  await register(a, name)
  const b = await phone.newPage()
  const closed = socketClosed(b)
  await logIn(b, name, PASSWORD)
  await b.locator('html[data-live="open"]').waitFor({ state: 'attached', timeout: 5000 })

  await a.goto('/settings/sessions')
  const rows = a.locator('table.sessions tbody tr')
  assert.equal(await rows.count(), 2)
  const first = await rows.nth(0).textContent()
  const second = await rows.nth(1).textContent()
  assert.match(first, /Firefox 133 on Linux/)
  assert.match(first, /This device/)
  assert.match(second, /Safari 17 on iOS/)
  assert.doesNotMatch(second, /This device/)
  // Locally Cloudflare's request.cf is absent: the place is "Unknown".
  assert.match(second, /Unknown/)
  assert.equal(await rows.nth(1).locator('time').count(), 2)

  const before = Date.now()
  await Promise.all([
    a.waitForURL(`${BASE_URL}/settings/sessions`),
    rows.nth(1).getByRole('button', { name: 'Log out Safari 17 on iOS' }).click(),
  ])
  await a.locator('.flash', { hasText: 'That browser has been logged out.' }).waitFor()
  assert.equal(await a.locator('table.sessions tbody tr').count(), 1)

  // Its socket was closed by the server, without the phone doing anything.
  const closedAt = await Promise.race([closed, new Promise((resolve) => setTimeout(() => resolve(null), 5000))])
  assert.ok(closedAt, 'the logged-out browser kept its live socket')
  assert.ok(closedAt - before < 5000)
  await b.locator('html[data-live="closed"]').waitFor({ state: 'attached', timeout: 5000 })

  // Its next request is a visitor's.
  await b.reload()
  assert.equal(new URL(b.url()).pathname, '/auth/login')
  // The laptop is still in.
  await a.goto('/')
  assert.equal(new URL(a.url()).pathname, '/')
  await laptop.close()
  await phone.close()
})

test('without JavaScript: log out everywhere else, and create a named API token', async () => {
  const name = uniqueName('nojs')
  const others = []
  const main = await newContext(browser, { javaScriptEnabled: false })
  const page = await main.newPage()
  await register(page, name)
  for (let i = 0; i < 2; i++) {
    const context = await newContext(browser, { javaScriptEnabled: false })
    await logIn(await context.newPage(), name, PASSWORD)
    others.push(context)
  }
  await page.goto('/settings/sessions')
  assert.equal(await page.locator('table.sessions tbody tr').count(), 3)
  // Just logged in: no password asked.
  await Promise.all([
    page.waitForURL(`${BASE_URL}/settings/sessions`),
    page.getByRole('button', { name: /Log out everywhere else/ }).click(),
  ])
  assert.equal(await page.locator('table.sessions tbody tr').count(), 1)
  for (const context of others) {
    const other = await context.newPage()
    await other.goto('/')
    assert.equal(new URL(other.url()).pathname, '/auth/login')
    await context.close()
  }

  await page.fill('#field-name', 'Backup script')
  await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Create token' }).click()])
  const token = await page.inputValue('#new-token')
  assert.match(token, /^[a-z2-7]{24}\.[a-z2-7]{24}$/)
  const me = await fetch(`${BASE_URL}/api/timeline`, { headers: { Authorization: `Bearer ${token}` } })
  assert.equal(me.status, 200)
  await page.goto('/settings/sessions')
  assert.match(await page.locator('table.api-tokens').textContent(), /Backup script/)
  await main.close()
})
