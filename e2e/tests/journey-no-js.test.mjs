// The same core path with JavaScript off: plain forms, links and redirects (PRG).
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { ALICE, ALICE_POSTS } from '../seed.mjs'
import {
  BASE_URL,
  countIn,
  followersText,
  launchBrowser,
  logOut,
  newContext,
  register,
  timelinePosts,
  uniqueName,
} from '../lib.mjs'

let browser
before(async () => {
  browser = await launchBrowser()
})
after(async () => {
  await browser?.close()
})

test('without JavaScript: register, post, follow, page through the timeline, log out', async (t) => {
  const context = await newContext(browser, { javaScriptEnabled: false })
  const page = await context.newPage()
  const me = uniqueName('nojs')

  await t.test('registering logs in and lands on the home page', async () => {
    await register(page, me)
    assert.match(await page.locator('main h1').textContent(), new RegExp(me))
  })

  const body = `Hello from ${me}, posted with a plain form.`
  await t.test('posting redirects back home with a flash and the post on top', async () => {
    await page.fill('#field-body', body)
    const [response] = await Promise.all([
      page.waitForNavigation(),
      page.locator('#post-form button[type=submit]').click(),
    ])
    assert.equal(response.url(), `${BASE_URL}/`)
    assert.match(await page.locator('#messages-top').textContent(), /Your post is now live!/)
    assert.equal((await timelinePosts(page))[0].body, body)
    assert.equal(await page.inputValue('#field-body'), '')
  })

  await t.test('following from a profile redirects back with the button and count changed', async () => {
    await page.goto(`/user/${ALICE}`)
    const followersBefore = countIn(await followersText(page))
    await Promise.all([page.waitForNavigation(), page.locator('form.follow-form button').click()])
    assert.equal(page.url(), `${BASE_URL}/user/${ALICE}`)
    assert.match(await page.locator('#messages-top').textContent(), /following/)
    assert.equal((await page.locator('form.follow-form button').textContent()).trim(), 'Unfollow')
    assert.equal(countIn(await followersText(page)), followersBefore + 1)
  })

  await t.test('the home timeline pages with an "Older posts" link until the end', async () => {
    await page.goto('/')
    const first = await timelinePosts(page)
    assert.equal(first.length, 25)
    assert.equal(first[0].body, body)
    assert.ok(first.slice(1).every((p) => p.author === ALICE))
    const older = page.locator('#posts .more a', { hasText: 'Older posts' })
    await Promise.all([page.waitForNavigation(), older.click()])
    assert.match(page.url(), /\/\?before=\d+-\d+$/)
    const second = await timelinePosts(page)
    assert.equal(second.length, ALICE_POSTS + 1 - 25)
    assert.equal(await page.locator('#posts .more').count(), 0)
    const ids = new Set([...first, ...second].map((p) => p.id))
    assert.equal(ids.size, ALICE_POSTS + 1, 'a post is on both pages')
  })

  await t.test('logging out ends the session', async () => {
    await logOut(page)
    assert.match(await page.locator('#messages-top').textContent(), /logged out/)
    await page.goto('/')
    assert.match(page.url(), /\/auth\/login\?next=%2F$/)
  })

  await context.close()
})
