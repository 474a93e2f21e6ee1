// The REST API on `wrangler dev`: the README's curl walk-through (with fetch), the
// API tokens on the Settings → Sessions page in a browser, and the /api/docs reference page rendering
// under the site's CSP with no request leaving the app's origin.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { BASE_URL, PASSWORD, launchBrowser, logIn, newContext, uniqueName } from '../lib.mjs'

let browser
before(async () => {
  browser = await launchBrowser()
})
after(async () => {
  await browser?.close()
})

const api = (path, init = {}) => fetch(`${BASE_URL}/api${path}`, init)
const json = { 'Content-Type': 'application/json' }

test('the README walk-through: register, token, post, timeline, revoke; then Settings → Sessions', async () => {
  const username = uniqueName('api')
  const registered = await api('/users', {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ username, email: `${username}@example.com`, password: PASSWORD }),
  })
  assert.equal(registered.status, 201)

  const basic = `Basic ${Buffer.from(`${username}:${PASSWORD}`).toString('base64')}`
  const created = await api('/tokens', { method: 'POST', headers: { ...json, Authorization: basic }, body: '{}' })
  assert.equal(created.status, 201)
  const { token } = await created.json()
  const bearer = { Authorization: `Bearer ${token}` }

  const posted = await api('/posts', {
    method: 'POST',
    headers: { ...json, ...bearer },
    body: '{"body":"Hello from curl"}',
  })
  assert.equal(posted.status, 201)
  const timeline = await (await api('/timeline?limit=5', { headers: bearer })).json()
  assert.deepEqual(
    timeline.items.map((p) => p.body),
    ['Hello from curl'],
  )
  assert.ok(timeline._links.self)

  // A second token, to see and revoke in the browser.
  const second = await (
    await api('/tokens', { method: 'POST', headers: { ...json, Authorization: basic }, body: '{"remember":true}' })
  ).json()
  assert.equal((await api('/tokens', { method: 'DELETE', headers: bearer })).status, 204)
  assert.equal((await api('/timeline', { headers: bearer })).status, 401)

  const context = await newContext(browser)
  const page = await context.newPage()
  await logIn(page, username, PASSWORD)
  await page.goto('/settings/profile')
  await Promise.all([page.waitForURL(/\/settings\/sessions$/), page.click('a[href="/settings/sessions"]')])
  const rows = page.locator('table.api-tokens tbody tr')
  assert.equal(await rows.count(), 1)
  await Promise.all([page.waitForURL(/\/settings\/sessions#api-tokens$/), rows.first().locator('button').click()])
  assert.equal(await page.locator('table.api-tokens').count(), 0)
  assert.equal((await api('/timeline', { headers: { Authorization: `Bearer ${second.token}` } })).status, 401)
  await context.close()
})

test('/api/docs renders the reference from our own assets, with no CSP violation', async () => {
  const context = await newContext(browser)
  const page = await context.newPage()
  const foreign = []
  const problems = []
  page.on('request', (request) => {
    if (!request.url().startsWith(BASE_URL) && !request.url().startsWith('data:')) foreign.push(request.url())
  })
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text())
  })
  await page.goto('/api/docs')
  await page.locator('.swagger-ui .opblock').first().waitFor()
  assert.ok((await page.locator('.swagger-ui .opblock').count()) >= 17)
  assert.match(await page.locator('.swagger-ui .title').first().textContent(), /Microblog API/)
  assert.deepEqual(foreign, [])
  assert.deepEqual(
    problems.filter((text) => /Content Security Policy|Refused/i.test(text)),
    [],
  )
  await context.close()
})
