// A link on another site to a private thread: the browser follows it with the member's
// cookie (SameSite=Lax allows a top-level navigation) and says `Sec-Fetch-Site: cross-site`.
// The thread is shown but stays unread; opened from our own pages, it is marked read.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { BASE_URL, launchBrowser, newContext, register, uniqueName } from '../lib.mjs'

const OTHER_SITE = 'http://other-site.test'

let browser
before(async () => {
  browser = await launchBrowser()
})
after(async () => {
  await browser?.close()
})

function badgeCount(page) {
  return page.locator('#unread-badge').getAttribute('data-count')
}

test('a thread opened from another site stays unread; opened from our pages it is read', async () => {
  const contextA = await newContext(browser)
  const contextB = await newContext(browser)
  const a = await contextA.newPage()
  const b = await contextB.newPage()
  const nameA = uniqueName('xsiteA')
  const nameB = uniqueName('xsiteB')
  await register(a, nameA)
  await register(b, nameB)

  await a.goto(`/messages/${nameB}`)
  await a.fill('#field-body', 'Only B should mark this read.')
  await a.locator('#message-form button[type=submit]').click()
  await a.locator('.thread .message.mine', { hasText: 'Only B should mark this read.' }).waitFor()

  // Another site, with a plain link to B's thread with A.
  await b.route(`${OTHER_SITE}/**`, (route) =>
    route.fulfill({
      contentType: 'text/html',
      body: `<!doctype html><title>Elsewhere</title><a id="go" href="${BASE_URL}/messages/${nameA}">look</a>`,
    }),
  )
  await b.goto(`${OTHER_SITE}/page`)
  await Promise.all([b.waitForURL(`${BASE_URL}/messages/${nameA}`), b.click('#go')])
  await b.locator('.thread .message', { hasText: 'Only B should mark this read.' }).waitFor()
  assert.equal(await badgeCount(b), '1', 'a cross-site link marked the thread read')
  await b.goto('/explore')
  assert.equal(await badgeCount(b), '1')

  // From the inbox (our own page): read.
  await b.goto('/messages')
  await Promise.all([
    b.waitForURL(`${BASE_URL}/messages/${nameA}`),
    b.locator(`.conversation a[href="/messages/${nameA}"]`).first().click(),
  ])
  assert.equal(await badgeCount(b), '0')
  await contextA.close()
  await contextB.close()
})
