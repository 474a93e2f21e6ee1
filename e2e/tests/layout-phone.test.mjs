// The navigation (current page, one row on a 390 px phone, the same
/* global getComputedStyle */
// height for visitors and members), profiles on phones, follow buttons in lists, edit-profile
// Cancel.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { ALICE, BOB, SEEDED_PASSWORD } from '../seed.mjs'
import { BASE_URL, launchBrowser, logIn, newContext } from '../lib.mjs'

let browser
before(async () => {
  browser = await launchBrowser()
})
after(async () => {
  await browser?.close()
})

const PHONE = { width: 390, height: 844 }

async function headerHeight(page) {
  return (await page.locator('header.site-header').boundingBox()).height
}

for (const [device, viewport] of [
  ['desktop', { width: 1280, height: 800 }],
  ['phone', PHONE],
]) {
  test(`navigation on a ${device}: one row, same height for visitors and members, current page marked`, async () => {
    const visitorContext = await newContext(browser, { viewport })
    const memberContext = await newContext(browser, { viewport })
    const visitor = await visitorContext.newPage()
    const member = await memberContext.newPage()
    await visitor.goto('/explore')
    await logIn(member, BOB, SEEDED_PASSWORD)
    const [a, b] = [await headerHeight(visitor), await headerHeight(member)]
    assert.ok(Math.abs(a - b) <= 1, `visitor header ${a}px, member header ${b}px`)
    // One row: the header is no taller than one line of navigation.
    assert.ok(b < 64, `header is ${b}px tall (wrapped?)`)
    const items = await member
      .locator('nav.nav li')
      .evaluateAll((lis) => lis.map((li) => li.getBoundingClientRect().top))
    assert.ok(Math.max(...items) - Math.min(...items) < 8, `nav items on several rows: ${items.join(', ')}`)
    assert.equal(await member.locator('nav a[aria-current="page"]').textContent(), 'Home')
    // Log out is quieter than Home.
    const size = (loc) => loc.evaluate((el) => parseFloat(getComputedStyle(el).fontSize))
    assert.ok(
      (await size(member.locator('.nav-logout button'))) < (await size(member.locator('nav a[href="/"]').last())),
    )
    await visitorContext.close()
    await memberContext.close()
  })
}

test('a profile on a phone: avatar beside the name, posts on the first screen', async () => {
  const context = await newContext(browser, { viewport: PHONE })
  const page = await context.newPage()
  await page.goto(`/user/${ALICE}`)
  const avatar = await page.locator('.profile img.avatar').boundingBox()
  const name = await page.locator('.profile h1').boundingBox()
  assert.ok(avatar.width <= 72, `avatar ${avatar.width}px wide`)
  assert.ok(name.x > avatar.x + avatar.width - 1, 'the name sits beside the avatar')
  assert.ok(name.y < avatar.y + avatar.height, 'the name is level with the avatar')
  const firstPost = await page.locator('#posts article.post').first().boundingBox()
  assert.ok(firstPost.y < PHONE.height, `first post starts at ${firstPost.y}px`)
  await context.close()
})

test('follow buttons in a followers list work in place; edit profile has Cancel and saving returns to the profile', async () => {
  const context = await newContext(browser)
  const page = await context.newPage()
  await logIn(page, BOB, SEEDED_PASSWORD)
  await page.goto(`/user/${BOB}/following`)
  const button = page.locator(`.person form.follow-form button`).first()
  const before = (await button.textContent()).trim()
  await button.click()
  await page.locator('.person form.follow-form button', { hasNotText: before }).first().waitFor()
  // …and back, so the seeded follow stays as it was.
  await page.locator('.person form.follow-form button').first().click()
  await page.locator('.person form.follow-form button', { hasText: before }).first().waitFor()

  await page.goto('/settings/profile')
  await Promise.all([page.waitForURL(`${BASE_URL}/user/${BOB}`), page.locator('main a.cancel').click()])
  await page.goto('/settings/profile')
  await Promise.all([page.waitForURL(`${BASE_URL}/user/${BOB}`), page.locator('main form button[type=submit]').click()])
  assert.match(await page.locator('#messages-top').textContent(), /Your changes have been saved/)
  await context.close()
})
