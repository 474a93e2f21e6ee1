// The everyday experience, as a person sees it: posts with their own page and a
// Delete control, one post per submit, feedback for failed requests where the action is,
// focus, the composer's counter, two tabs with two accounts — with JavaScript and without.
/* global document, URLSearchParams, FormData */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { ALICE } from '../seed.mjs'
import { BASE_URL, launchBrowser, newContext, register, timelinePosts, uniqueName } from '../lib.mjs'

let browser
before(async () => {
  browser = await launchBrowser()
})
after(async () => {
  await browser?.close()
})

/** Posts `body` with the composer and waits until it shows in the timeline (htmx). */
async function postWithHtmx(page, body) {
  await page.fill('#field-body', body)
  await page.locator('#post-form button[type=submit]').click()
  await page.locator('#posts .post-body', { hasText: body }).waitFor()
}

test('a post has its own page, linked from its time, with preview tags', async () => {
  const context = await newContext(browser, { javaScriptEnabled: false })
  const page = await context.newPage()
  await page.goto(`/user/${ALICE}`)
  const href = await page.locator('#posts article.post .permalink').first().getAttribute('href')
  assert.match(href, /^\/post\/\d+$/)
  await Promise.all([page.waitForURL(`${BASE_URL}${href}`), page.locator('#posts .permalink').first().click()])
  assert.equal(await page.locator('main article.post').count(), 1)
  assert.ok((await page.locator('meta[property="og:description"]').getAttribute('content')).length > 0)
  assert.equal((await page.goto('/post/987654321')).status(), 404)
  await context.close()
})

test('with JavaScript: Delete asks, then removes the post in place', async () => {
  const context = await newContext(browser)
  const page = await context.newPage()
  await register(page, uniqueName('del'))
  const body = `delete me ${Date.now()}`
  await postWithHtmx(page, 'keep me')
  await postWithHtmx(page, body)
  const article = page.locator('#posts article.post', { hasText: body })
  // First a "no" to the confirmation: nothing happens.
  page.once('dialog', (dialog) => dialog.dismiss())
  await article.locator('.delete-form button').click()
  await page.waitForTimeout(300)
  assert.equal(await article.count(), 1)
  page.once('dialog', (dialog) => {
    assert.match(dialog.message(), /cannot be undone/)
    dialog.accept()
  })
  await article.locator('.delete-form button').click()
  await article.waitFor({ state: 'detached' })
  assert.match(await page.locator('#messages-top').textContent(), /Your post has been deleted/)
  assert.deepEqual(
    (await timelinePosts(page)).map((p) => p.body),
    ['keep me'],
  )
  await page.reload()
  assert.deepEqual(
    (await timelinePosts(page)).map((p) => p.body),
    ['keep me'],
  )
  await context.close()
})

test('without JavaScript: Delete shows a confirmation page, then redirects with a flash', async () => {
  const context = await newContext(browser, { javaScriptEnabled: false })
  const page = await context.newPage()
  const me = uniqueName('delnojs')
  await register(page, me)
  await page.fill('#field-body', 'to be deleted without js')
  await Promise.all([page.waitForNavigation(), page.locator('#post-form button[type=submit]').click()])
  await page.goto(`/user/${me}`)
  await Promise.all([page.waitForURL(/\/delete/), page.locator('#posts .delete-form button').click()])
  assert.match(await page.locator('main h1').textContent(), /Delete this post/)
  await Promise.all([
    page.waitForURL(`${BASE_URL}/user/${me}`),
    page.locator('main form[method="post"] button.danger').click(),
  ])
  assert.match(await page.locator('#messages-top').textContent(), /Your post has been deleted/)
  assert.equal(await page.locator('#posts article.post').count(), 0)
  assert.match(await page.locator('.stats').textContent(), /0 posts/)
  await context.close()
})

test('double submits: clicking Post three times quickly makes one post', async () => {
  const context = await newContext(browser)
  const page = await context.newPage()
  await register(page, uniqueName('dbl'))
  const body = `just once ${Date.now()}`
  await page.fill('#field-body', body)
  // Three identical submits of the same form (same one-time key), at the same moment.
  const statuses = await page.evaluate(async () => {
    const form = document.getElementById('post-form')
    const send = () =>
      fetch('/', { method: 'POST', body: new URLSearchParams(new FormData(form)), redirect: 'manual' }).then(
        (r) => r.type,
      )
    return Promise.all([send(), send(), send()])
  })
  assert.equal(statuses.length, 3)
  await page.reload()
  assert.equal((await timelinePosts(page)).filter((p) => p.body === body).length, 1)
  await context.close()
})

for (const javaScriptEnabled of [true, false]) {
  test(`two tabs, two accounts (JavaScript ${javaScriptEnabled ? 'on' : 'off'}): the stale tab's post is refused`, async () => {
    const context = await newContext(browser, { javaScriptEnabled })
    const tabA = await context.newPage()
    await register(tabA, uniqueName('tabA'))
    // Another tab of the same browser logs out and signs up as someone else.
    const tabB = await context.newPage()
    await tabB.goto('/')
    await Promise.all([
      tabB.waitForURL(/\/auth\/login/),
      tabB.locator('header form[action="/auth/logout"] button').click(),
    ])
    await register(tabB, uniqueName('tabB'))

    await tabA.fill('#field-body', 'written in the stale tab')
    if (javaScriptEnabled) {
      await tabA.locator('#post-form button[type=submit]').click()
      const error = tabA.locator('#post-form + .action-error')
      await error.waitFor()
      assert.match(await error.textContent(), /signed in as someone else in another tab/)
      assert.equal(await tabA.inputValue('#field-body'), 'written in the stale tab')
    } else {
      const [response] = await Promise.all([
        tabA.waitForNavigation(),
        tabA.locator('#post-form button[type=submit]').click(),
      ])
      assert.equal(response.status(), 409)
      assert.match(await tabA.locator('main').textContent(), /signed in as someone else in another tab/)
    }
    await tabB.reload()
    assert.equal((await timelinePosts(tabB)).length, 0, 'nothing was saved for the new account')
    await context.close()
  })
}
