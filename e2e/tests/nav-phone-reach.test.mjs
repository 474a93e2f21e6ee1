// The navigation on phones, 320–430 px wide (and on a small tablet): every place it leads to
// is on screen and takes one tap (nothing pushed past the right edge or hidden in a scrolled
// strip), the unread badge shows, and the page does not scroll sideways — for visitors and
// members, in English and in Spanish (the longer labels), without JavaScript too.
/* global document */
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { launchBrowser, newContext, register, screenshotDir, uniqueName } from '../lib.mjs'

const WIDTHS = [320, 360, 375, 390, 430, 800]
const LOCALES = { en: 'en-US', es: 'es-ES' }

let browser
/** Members with one unread message each (the badge shows), by language. */
const members = {}

before(async () => {
  browser = await launchBrowser()
  const sender = await newContext(browser)
  const senderPage = await sender.newPage()
  await register(senderPage, uniqueName('navfrom'))
  for (const [lang, locale] of Object.entries(LOCALES)) {
    const context = await newContext(browser, { locale, extraHTTPHeaders: { 'Accept-Language': lang } })
    const page = await context.newPage()
    const username = uniqueName(`nav${lang}`)
    await register(page, username)
    members[lang] = { username, state: await context.storageState() }
    await context.close()
    await senderPage.goto(`/messages/${username}`)
    await senderPage.fill('#field-body', `Hello ${username}`)
    await Promise.all([senderPage.waitForURL(`**/messages/${username}`), senderPage.click('#message-form button')])
  }
  await sender.close()
})
after(async () => {
  await browser?.close()
})

/**
 * Every link and button of the navigation that is shown: its box, whether a tap at its
 * centre reaches it, and where it leads. Also whether anything scrolls sideways.
 */
function measureNav() {
  const width = document.documentElement.clientWidth
  const controls = [...document.querySelectorAll('nav.nav a, nav.nav button')]
    .map((el) => ({ el, box: el.getBoundingClientRect() }))
    .filter(({ box }) => box.width > 0 && box.height > 0)
    .map(({ el, box }) => {
      const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2)
      return {
        target: el.tagName === 'A' ? el.getAttribute('href') : el.closest('form').getAttribute('action'),
        label: el.textContent.trim(),
        left: box.left,
        right: box.right,
        top: box.top,
        bottom: box.bottom,
        tappable: hit !== null && (hit === el || el.contains(hit)),
      }
    })
  const badge = document.querySelector('#unread-badge')
  const badgeBox = badge?.getBoundingClientRect()
  return {
    width,
    pageScrollWidth: document.documentElement.scrollWidth,
    listOverflow: [...document.querySelectorAll('nav.nav ul')].map((ul) => ul.scrollWidth - ul.clientWidth),
    controls,
    badge: badgeBox
      ? { left: badgeBox.left, right: badgeBox.right, width: badgeBox.width, text: badge.textContent }
      : null,
  }
}

function checkReach(result, expected, where) {
  assert.ok(result.pageScrollWidth <= result.width, `${where}: the page scrolls sideways (${result.pageScrollWidth}px)`)
  for (const overflow of result.listOverflow)
    assert.ok(overflow <= 0, `${where}: the nav list overflows by ${overflow}px`)
  for (const control of result.controls) {
    const name = `${where}: ${control.target} "${control.label}"`
    assert.ok(control.left >= 0 && control.right <= result.width, `${name} is at x ${control.left}–${control.right}`)
    assert.ok(control.tappable, `${name}: a tap at its centre lands on something else`)
  }
  const reached = new Set(result.controls.map((control) => control.target))
  for (const target of expected) assert.ok(reached.has(target), `${where}: nothing on screen leads to ${target}`)
}

for (const width of WIDTHS) {
  for (const lang of Object.keys(LOCALES)) {
    test(`at ${width} px (${lang}) every place in the navigation is on screen and takes one tap`, async () => {
      const viewport = { width, height: 740 }
      const headers = { 'Accept-Language': lang }
      const visitorContext = await newContext(browser, { viewport, locale: LOCALES[lang], extraHTTPHeaders: headers })
      const visitor = await visitorContext.newPage()
      await visitor.goto('/explore')
      checkReach(
        await visitor.evaluate(measureNav),
        ['/', '/explore', '/search', '/auth/login', '/auth/register'],
        `visitor, ${width}px, ${lang}`,
      )

      const { username, state } = members[lang]
      for (const javaScriptEnabled of [true, false]) {
        const context = await newContext(browser, {
          viewport,
          locale: LOCALES[lang],
          extraHTTPHeaders: headers,
          storageState: state,
          javaScriptEnabled,
        })
        const page = await context.newPage()
        await page.goto('/')
        const where = `member, ${width}px, ${lang}${javaScriptEnabled ? '' : ', no JavaScript'}`
        const result = await page.evaluate(measureNav)
        checkReach(result, ['/', '/explore', '/search', '/messages', `/user/${username}`, '/auth/logout'], where)
        // The unread count stays in sight, on the Messages item.
        assert.ok(result.badge && result.badge.width > 0, `${where}: the unread badge is not shown`)
        assert.ok(result.badge.left >= 0 && result.badge.right <= result.width, `${where}: the badge is off screen`)
        assert.match(result.badge.text, /^1/)
        if (width === 390 && javaScriptEnabled) {
          await page.screenshot({ path: join(screenshotDir(), `nav-phone-${lang}-${width}.png`) })
        }
        await context.close()
      }
      await visitorContext.close()
    })
  }
}

test('on a phone the search link opens the search page, whose own box searches', async () => {
  const context = await newContext(browser, { viewport: { width: 320, height: 740 } })
  const page = await context.newPage()
  await page.goto('/explore')
  assert.equal(await page.locator('nav .nav-search').isVisible(), false)
  await Promise.all([page.waitForURL('**/search'), page.locator('nav a[href="/search"]').click()])
  const box = page.locator('main #search-q')
  assert.ok(await box.isVisible(), 'the search page has a box on a phone')
  await box.fill('gardens')
  await Promise.all([page.waitForURL('**/search?q=gardens'), box.press('Enter')])
  assert.match(await page.locator('main h1').textContent(), /gardens/)
  assert.ok((await page.locator('#posts article.post').count()) > 0, 'results are listed')
  assert.equal(await page.locator('main #search-q').inputValue(), 'gardens')
  await context.close()
})
