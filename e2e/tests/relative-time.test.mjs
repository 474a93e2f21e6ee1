// Times: the server writes a localized absolute time; public/js/app.js rewrites it as a
// relative one ("5 minutes ago") in the reader's language.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { ALICE, FRESH_POST } from '../seed.mjs'
import { launchBrowser, newContext } from '../lib.mjs'

let browser
before(async () => {
  browser = await launchBrowser()
})
after(async () => {
  await browser?.close()
})

const freshTime = (page) => page.locator('article.post', { hasText: FRESH_POST }).locator('time[data-relative]').first()

test('relative times render in the page', async () => {
  const context = await newContext(browser)
  const page = await context.newPage()
  await page.goto(`/user/${ALICE}`)
  const time = freshTime(page)
  await page.locator('time[data-relative][data-rendered]').first().waitFor({ state: 'attached' })
  const text = (await time.textContent()).trim()
  assert.match(text, /^\d+ minutes? ago$/, `got ${JSON.stringify(text)}`)
  const minutes = Number(text.split(' ')[0])
  assert.ok(minutes >= 5 && minutes <= 30, `the post is five minutes old, shown as ${text}`)
  // Every time element on the page was rewritten, with the absolute time kept as a title.
  const unrendered = await page.locator('time[data-relative]:not([data-rendered])').count()
  assert.equal(unrendered, 0)
  assert.ok(((await time.getAttribute('title')) ?? '').length > 0)
  await context.close()
})

test('without JavaScript the absolute time is shown', async () => {
  const context = await newContext(browser, { javaScriptEnabled: false })
  const page = await context.newPage()
  await page.goto(`/user/${ALICE}`)
  const time = freshTime(page)
  const text = (await time.textContent()).trim()
  const datetime = await time.getAttribute('datetime')
  assert.ok(!Number.isNaN(Date.parse(datetime)), `datetime=${datetime}`)
  assert.doesNotMatch(text, /ago/)
  assert.match(text, new RegExp(String(new Date(datetime).getUTCFullYear())))
  await context.close()
})
