// Two members in two browser contexts: private messages and the live channel (the member's
// hub pushes over a WebSocket — no reloads, no polling), then the same numbers without JS.
/* global document, Event */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { PASSWORD, launchBrowser, logIn, markPage, newContext, register, stillSamePage, uniqueName } from '../lib.mjs'

let browser
before(async () => {
  browser = await launchBrowser()
})
after(async () => {
  await browser?.close()
})

/** Waits until the page's live socket is open (live.js marks <html data-live="open">). */
async function liveOpen(page) {
  await page.locator('html[data-live="open"]').waitFor({ state: 'attached', timeout: 5000 })
}

function badgeCount(page) {
  return page.locator('#unread-badge').getAttribute('data-count')
}

/** Resolves once the badge shows `count`, failing after `ms`. */
function badgeBecomes(page, count, ms) {
  return page.waitForFunction(
    (expected) => document.querySelector('#unread-badge')?.getAttribute('data-count') === expected,
    String(count),
    { timeout: ms },
  )
}

test('two members: messages and live updates without reloads', async (t) => {
  const contextA = await newContext(browser)
  const contextB = await newContext(browser)
  const a = await contextA.newPage()
  const b = await contextB.newPage()
  const nameA = uniqueName('liveA')
  const nameB = uniqueName('liveB')
  await register(a, nameA)
  await register(b, nameB)

  await t.test("B's badge goes from 0 to 1 within 2 s when A sends a message", async () => {
    await b.goto('/explore')
    await liveOpen(b)
    assert.equal(await badgeCount(b), '0')
    assert.equal(await b.locator('#unread-badge').isVisible(), false)
    await markPage(b)

    await a.goto(`/messages/${nameB}`)
    await a.fill('#field-body', 'Hi B, this is A.')
    await a.locator('#message-form button[type=submit]').click()
    // A's own thread gets the message in place and the box clears.
    await a.locator('.thread .message.mine', { hasText: 'Hi B, this is A.' }).waitFor()
    assert.equal(await a.inputValue('#field-body'), '')

    const started = Date.now()
    await badgeBecomes(b, 1, 2000)
    t.diagnostic(`badge updated ${Date.now() - started} ms after A's message was shown`)
    assert.equal(await b.locator('#unread-badge').isVisible(), true)
    assert.equal(await stillSamePage(b), true, "B's page was reloaded")
  })

  await t.test('a hidden tab keeps its socket but renders only once visible; nothing polls', async () => {
    await markPage(b)
    // Headless Chromium never hides a tab: stand in for the Page Visibility API.
    await b.evaluate(() => Object.defineProperty(document, 'hidden', { configurable: true, get: () => true }))
    const requests = []
    const record = (request) => requests.push(request.url())
    b.on('request', record)

    await a.fill('#field-body', 'Sent while B looks away.')
    await a.locator('#message-form button[type=submit]').click()
    await a.locator('.thread .message.mine', { hasText: 'Sent while B looks away.' }).waitFor()
    await b.waitForTimeout(1500)
    assert.equal(await badgeCount(b), '1', 'a hidden tab re-rendered')

    await b.evaluate(() => {
      Object.defineProperty(document, 'hidden', { configurable: true, get: () => false })
      document.dispatchEvent(new Event('visibilitychange'))
    })
    await badgeBecomes(b, 2, 1000)
    b.off('request', record)
    assert.deepEqual(requests, [], 'the page made requests while idle (polling?)')
    assert.equal(await stillSamePage(b), true, "B's page was reloaded")
  })

  await t.test("B opens the thread: it is read, and A's reply appears live", async () => {
    await b.locator('a.nav-messages').click()
    await b.locator('.conversation', { hasText: nameA }).waitFor()
    await b.locator(`.conversation a[href="/messages/${nameA}"]`).click()
    await b.locator('.thread .message.theirs', { hasText: 'Hi B, this is A.' }).waitFor()
    assert.equal(await badgeCount(b), '0')
    await liveOpen(b)
    await markPage(b)

    await a.fill('#field-body', 'A second message, while B is looking.')
    await a.locator('#message-form button[type=submit]').click()
    await b
      .locator('.thread .message.theirs', { hasText: 'A second message, while B is looking.' })
      .waitFor({ timeout: 2000 })
    assert.equal(await stillSamePage(b), true, "B's page was reloaded")
    // B sees it in the open thread, so it is marked read and the badge stays at 0.
    await badgeBecomes(b, 0, 2000)
  })

  await t.test('A posts: B\'s home shows "1 new post", clicking shows the post', async () => {
    await b.goto(`/user/${nameA}`)
    await b.locator('form.follow-form button', { hasText: 'Follow' }).click()
    await b.locator('form.follow-form button', { hasText: 'Unfollow' }).waitFor()
    await b.goto('/')
    await liveOpen(b)
    // The no-socket fallback link is hidden while the channel is open.
    assert.equal(await b.locator('.live-fallback a').isVisible(), false)
    await markPage(b)

    const body = `News from ${nameA}, pushed live.`
    await a.goto('/')
    await a.fill('#field-body', body)
    await a.locator('#post-form button[type=submit]').click()
    await a.locator('#posts .post-body', { hasText: body }).waitFor()

    const bar = b.locator('#new-posts a')
    await bar.waitFor({ timeout: 2000 })
    assert.equal((await bar.textContent()).trim(), '1 new post')
    await bar.click()
    await b.locator('#posts article.post').first().locator('.post-body', { hasText: body }).waitFor()
    assert.equal(await b.locator('#new-posts a').count(), 0)
    assert.equal(await stillSamePage(b), true, "B's page was reloaded")
  })

  await t.test('with JavaScript off the badge shows the right number after navigation', async () => {
    const contextNoJs = await newContext(browser, { javaScriptEnabled: false })
    const noJs = await contextNoJs.newPage()
    await logIn(noJs, nameB, PASSWORD)
    assert.equal(await badgeCount(noJs), '0')
    // No socket: the home page offers a plain link instead of the live bar.
    assert.equal(await noJs.locator('.live-fallback a[href="/"]').isVisible(), true)
    await a.goto(`/messages/${nameB}`)
    await a.fill('#field-body', 'Third one.')
    await a.locator('#message-form button[type=submit]').click()
    await a.locator('.thread .message.mine', { hasText: 'Third one.' }).waitFor()
    await noJs.goto('/explore')
    assert.equal(await badgeCount(noJs), '1')
    assert.match(await noJs.locator('#unread-badge').textContent(), /1 unread message/)
    // Reading the thread (a plain page load) clears it.
    await noJs.goto(`/messages/${nameA}`)
    assert.equal(await badgeCount(noJs), '0')
    await contextNoJs.close()
  })

  await contextA.close()
  await contextB.close()
})
