// Search from the navigation box (htmx results as you type, the URL follows, Back works,
// plain form without JavaScript) and user popups (hover or keyboard focus, Follow inside,
// Escape), with axe scans of the search page and an open popup in light and dark mode.
/* global window, document */
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { ALICE, BOB, SEEDED_PASSWORD } from '../seed.mjs'
import { BASE_URL, countIn, launchBrowser, logIn, markPage, newContext, screenshotDir, stillSamePage } from '../lib.mjs'

const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js')

let browser
before(async () => {
  browser = await launchBrowser()
})
after(async () => {
  await browser?.close()
})

function queryOf(page) {
  return new URL(page.url()).searchParams.get('q')
}

async function seriousAxeViolations(page) {
  await page.addScriptTag({ path: axePath })
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run(window.document, { resultTypes: ['violations'] })
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      targets: v.nodes.slice(0, 5).map((n) => n.target.join(' ')),
    }))
  })
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
}

test('search from the navigation box', async (t) => {
  const context = await newContext(browser)
  const page = await context.newPage()
  await page.goto('/explore')

  await t.test('typing shows results without a reload and the URL follows', async () => {
    await markPage(page)
    await page.locator('#nav-search-q').pressSequentially('gard', { delay: 40 })
    await page.waitForURL((url) => url.pathname === '/search' && url.searchParams.get('q') === 'gard')
    await page.locator('#posts article.post mark').first().waitFor()
    assert.equal(await stillSamePage(page), true, 'the page was reloaded')
    assert.match(await page.locator('main h1').textContent(), /gard/)
    assert.match(await page.locator('#posts mark').first().textContent(), /^gard/i)
    assert.match(await page.title(), /gard/)
  })

  await t.test('typing on replaces the results and pushes the new query', async () => {
    await page.locator('#nav-search-q').fill('')
    await page.locator('#nav-search-q').pressSequentially('bread', { delay: 40 })
    await page.waitForURL((url) => url.searchParams.get('q') === 'bread')
    await page.locator('main h1', { hasText: 'bread' }).waitFor()
    assert.equal(await stillSamePage(page), true)
    assert.equal(await page.locator('#posts article.post').count(), 25)
  })

  await t.test('Back restores the previous query and its results', async () => {
    await page.goBack()
    await page.waitForURL((url) => url.searchParams.get('q') === 'gard')
    await page.locator('main h1', { hasText: 'gard' }).waitFor()
    assert.equal(await page.inputValue('#nav-search-q'), 'gard')
    assert.equal(queryOf(page), 'gard')
  })

  await t.test('infinite scroll loads the next page of results', async () => {
    await page.goto('/search?q=bread')
    assert.equal(await page.locator('#posts article.post').count(), 25)
    await page.locator('.more').scrollIntoViewIfNeeded()
    await page.waitForFunction(() => document.querySelectorAll('#posts article.post').length > 25)
    assert.equal(await page.locator('#posts article.post').count(), 29)
  })
  await context.close()
})

test('search without JavaScript: the box is a plain form, links go to profiles', async () => {
  const context = await newContext(browser, { javaScriptEnabled: false })
  const page = await context.newPage()
  await page.goto('/explore')
  await page.fill('#nav-search-q', 'bread')
  await Promise.all([page.waitForURL(/\/search\?q=bread$/), page.press('#nav-search-q', 'Enter')])
  assert.equal(await page.locator('#posts article.post').count(), 25)
  assert.equal(await page.locator('#posts mark').first().textContent(), 'bread')
  await Promise.all([page.waitForURL(/before=/), page.locator('.more a').click()])
  assert.equal(await page.locator('#posts article.post').count(), 4)
  await Promise.all([page.waitForURL(`${BASE_URL}/user/${ALICE}`), page.locator('a.author').first().click()])
  await context.close()
})

test('user popups', async (t) => {
  const context = await newContext(browser)
  const page = await context.newPage()
  // The seeded bob follows alice (registering more members would hit the per-IP limit).
  await logIn(page, BOB, SEEDED_PASSWORD)
  const popupRequests = []
  page.on('request', (request) => {
    if (request.url().endsWith('/popup')) popupRequests.push(request.url())
  })
  await page.goto('/explore')
  const link = page.locator(`#posts a.author[href="/user/${ALICE}"]`).first()
  const popup = page.locator('.user-popup')

  await t.test('resting the mouse on a username for 600 ms shows the popup', async () => {
    await link.hover()
    await page.waitForTimeout(600)
    await popup.waitFor()
    assert.match(await popup.locator('.popup-name').textContent(), new RegExp(ALICE))
    assert.equal(await link.getAttribute('aria-expanded'), 'true')
    assert.equal(await link.getAttribute('aria-describedby'), await popup.getAttribute('id'))
    const box = await popup.boundingBox()
    const viewport = page.viewportSize()
    assert.ok(box.x >= 0 && box.x + box.width <= viewport.width, 'the popup is off screen')
  })

  await t.test('Unfollow / Follow inside the popup work and its count updates', async () => {
    const followers = async () => countIn(await popup.locator('.stats a[href$="/followers"]').textContent())
    assert.equal(await popup.locator(`a[href="/messages/${ALICE}"]`).count(), 1, 'no Message button')
    const before = await followers()
    await popup.locator('form button', { hasText: 'Unfollow' }).click()
    await popup.locator('form button', { hasText: /^Follow$/ }).waitFor()
    assert.equal(await followers(), before - 1)
    await popup.locator('form button', { hasText: /^Follow$/ }).click()
    await popup.locator('form button', { hasText: 'Unfollow' }).waitFor()
    assert.equal(await followers(), before)
  })

  await t.test('Escape closes it', async () => {
    await page.keyboard.press('Escape')
    await popup.waitFor({ state: 'detached' })
    assert.equal(await link.getAttribute('aria-expanded'), 'false')
    assert.equal(await link.getAttribute('aria-describedby'), null)
  })

  await t.test('it is fetched once per link, and moving away closes it', async () => {
    await page.mouse.move(5, 5)
    await link.hover()
    await popup.waitFor()
    // The card kept its state: still Unfollow, from the one fetch.
    assert.equal(await popup.locator('form button').textContent(), 'Unfollow')
    assert.equal(popupRequests.length, 1)
    await page.mouse.move(5, 700)
    await popup.waitFor({ state: 'detached' })
  })

  await t.test('keyboard focus opens it, Tab moves into it, focus leaving closes it', async () => {
    await page.keyboard.press('Tab')
    const other = page.locator('#posts a.author').nth(3)
    await other.focus()
    await page.waitForTimeout(600)
    await popup.waitFor()
    assert.equal(await other.getAttribute('aria-expanded'), 'true')
    await page.keyboard.press('Tab')
    assert.equal(await page.evaluate(() => !!document.activeElement.closest('.user-popup')), true)
    await page.keyboard.press('Escape')
    await popup.waitFor({ state: 'detached' })
    assert.equal(await page.evaluate(() => document.activeElement.classList.contains('author')), true)
    // Focus on something else entirely: nothing opens.
    await page.locator('#nav-search-q').focus()
    await page.waitForTimeout(600)
    assert.equal(await popup.count(), 0)
  })
  await context.close()
})

for (const colorScheme of ['light', 'dark']) {
  test(`axe: search page and an open popup, ${colorScheme} mode`, async () => {
    const context = await newContext(browser, { colorScheme, bypassCSP: true })
    const page = await context.newPage()
    await logIn(page, BOB, SEEDED_PASSWORD)
    await page.goto('/search?q=alice')
    await page.locator('.search-people').waitFor()
    assert.deepEqual(await seriousAxeViolations(page), [], 'search page')
    await page.screenshot({ path: join(screenshotDir(), `search-${colorScheme}.png`), fullPage: true })

    await page.locator('#posts a.author').first().hover()
    await page.locator('.user-popup form').waitFor()
    assert.deepEqual(await seriousAxeViolations(page), [], 'open popup')
    await page.screenshot({ path: join(screenshotDir(), `popup-${colorScheme}.png`) })
    await context.close()
  })
}
