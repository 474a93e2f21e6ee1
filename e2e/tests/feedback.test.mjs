// Feedback that never goes missing, focus, the composer counter.
/* global document, htmx */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { BOB, SPANISH_POST } from '../seed.mjs'
import { launchBrowser, newContext, register, uniqueName } from '../lib.mjs'

let browser
before(async () => {
  browser = await launchBrowser()
})
after(async () => {
  await browser?.close()
})

const focusedId = (page) => page.evaluate(() => document.activeElement?.id ?? '')
/** Waits (briefly) until the element with `id` has focus; htmx settles after its swap. */
async function focusMovesTo(page, id) {
  await page
    .waitForFunction((expected) => document.activeElement?.id === expected, id, { timeout: 2000 })
    .catch(() => {})
  assert.equal(await focusedId(page), id)
}

test('failed htmx requests show a dismissable message next to the action; typed text stays', async (t) => {
  const context = await newContext(browser)
  const page = await context.newPage()
  await register(page, uniqueName('fb'))

  await t.test('a 413 (post far too large) keeps the text and re-enables Post', async () => {
    const huge = 'x'.repeat(70 * 1024)
    await page.locator('#field-body').evaluate((el, value) => {
      el.value = value
    }, huge)
    // Set without an input event, so the counter has not disabled Post (as a script could).
    await page.locator('#post-form button[type=submit]').click()
    const error = page.locator('#post-form + .action-error')
    await error.waitFor()
    assert.match(await error.textContent(), /too large/i)
    assert.equal((await page.inputValue('#field-body')).length, huge.length)
    await error.locator('button').click()
    await error.waitFor({ state: 'detached' })
  })

  await t.test('a 500, a network error and a timeout each show a message', async () => {
    await page.fill('#field-body', 'this will fail')
    await page.route('**/', (route) =>
      route.request().method() === 'POST'
        ? route.fulfill({ status: 500, contentType: 'text/plain', body: 'boom' })
        : route.continue(),
    )
    await page.locator('#post-form button[type=submit]').click()
    const error = page.locator('#post-form + .action-error')
    await error.waitFor()
    assert.match(await error.textContent(), /went wrong/)
    assert.equal(await page.inputValue('#field-body'), 'this will fail')
    assert.equal(await page.locator('#post-form button[type=submit]').isDisabled(), false)
    await page.unroute('**/')

    await page.route('**/', (route) => (route.request().method() === 'POST' ? route.abort('failed') : route.continue()))
    await page.locator('#post-form button[type=submit]').click()
    await page.locator('#post-form + .action-error', { hasText: 'Could not reach Microblog' }).waitFor()
    await page.unroute('**/')

    await page.evaluate(() => {
      htmx.config.timeout = 300
    })
    await page.route('**/', async (route) => {
      if (route.request().method() !== 'POST') return route.continue()
      await new Promise((resolve) => setTimeout(resolve, 1500))
      return route.abort('timedout').catch(() => {})
    })
    await page.locator('#post-form button[type=submit]').click()
    await page.locator('#post-form + .action-error', { hasText: 'took too long' }).waitFor()
    assert.equal(await page.inputValue('#field-body'), 'this will fail')
    await page.unroute('**/')
  })

  await t.test("an in-feed action's error appears beside it, not at the top", async () => {
    // Bob's profile: his one (Spanish) post stays on its first page, whatever other test files post to explore.
    await page.goto(`/user/${BOB}`)
    await page.route('**/translate/*', (route) =>
      route.fulfill({
        status: 429,
        contentType: 'text/html; charset=utf-8',
        body: '<p class="flash flash-error" role="alert">You have translated many posts in a short time.</p>',
      }),
    )
    const post = page.locator('article.post', { hasText: SPANISH_POST })
    await post.locator('.translate-form button').click()
    const error = post.locator('.translate-form + .action-error')
    await error.waitFor()
    assert.match(await error.textContent(), /translated many posts/)
    assert.equal((await page.locator('#messages-top').textContent()).trim(), '')
    // It is on screen where the reader clicked.
    assert.ok(await error.isVisible())
    await page.unroute('**/translate/*')
  })
  await context.close()
})

test('after the first post the empty-timeline text goes; focus stays in the composer', async () => {
  const context = await newContext(browser)
  const page = await context.newPage()
  await register(page, uniqueName('first'))
  assert.equal(await page.locator('#posts-empty').count(), 1)
  await page.fill('#field-body', 'my very first post')
  await page.locator('#post-form button[type=submit]').click()
  await page.locator('#posts .post-body', { hasText: 'my very first post' }).waitFor()
  assert.equal(await page.locator('#posts-empty').count(), 0)
  await focusMovesTo(page, 'field-body')
  // A validation error moves focus to the field and says why.
  await page.fill('#field-body', '   ')
  await page.locator('#post-form button[type=submit]').click()
  await page.locator('#post-form .field.has-error').waitFor()
  await focusMovesTo(page, 'field-body')
  await context.close()
})

test('validation errors focus the first invalid field (register form, JavaScript on)', async () => {
  const context = await newContext(browser)
  const page = await context.newPage()
  await page.goto('/auth/register')
  await page.fill('#field-username', 'ok_name_' + Date.now().toString(36))
  await page.fill('#field-email', 'not-an-email')
  await Promise.all([page.waitForNavigation(), page.locator('main form button[type=submit]').click()])
  const first = await page.locator('[aria-invalid="true"]').first().getAttribute('id')
  assert.equal(await focusedId(page), first)
  await context.close()
})

test('the composer counts characters like the server, warns under 20 and blocks over 140', async () => {
  const context = await newContext(browser)
  const page = await context.newPage()
  await register(page, uniqueName('count'))
  const counter = page.locator('#post-counter')
  assert.equal(await counter.isVisible(), true)
  assert.equal((await counter.textContent()).trim(), '140 characters left')
  // Emoji and accented letters count as one each, as on the server.
  await page.fill('#field-body', '😀'.repeat(10) + 'é'.repeat(5))
  assert.equal((await counter.textContent()).trim(), '125 characters left')
  const status = page.locator('#post-form .char-status')
  assert.equal((await status.textContent()).trim(), '', 'no announcement before a threshold')
  await page.fill('#field-body', 'a'.repeat(125))
  assert.equal((await counter.textContent()).trim(), '15 characters left')
  assert.match(await counter.getAttribute('class'), /warn/)
  assert.equal((await status.textContent()).trim(), '15 characters left')
  await page.fill('#field-body', 'a'.repeat(141))
  assert.equal((await counter.textContent()).trim(), '1 character too many')
  assert.match(await counter.getAttribute('class'), /over/)
  assert.equal(await page.locator('#post-form button[type=submit]').isDisabled(), true)
  await page.fill('#field-body', 'a'.repeat(140))
  assert.equal(await page.locator('#post-form button[type=submit]').isDisabled(), false)
  // Without JavaScript there is no counter (the server still checks the length).
  const noJs = await newContext(browser, { javaScriptEnabled: false })
  const plain = await noJs.newPage()
  await register(plain, uniqueName('countnojs'))
  assert.equal(await plain.locator('#post-counter').isVisible(), false)
  await noJs.close()
  await context.close()
})
