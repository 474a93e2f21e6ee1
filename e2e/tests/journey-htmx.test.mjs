// The core path with JavaScript on: htmx posts, follows and scrolls without page loads.
/* global window, document */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { ALICE, ALICE_POSTS } from '../seed.mjs'
import {
  countIn,
  followersText,
  launchBrowser,
  logOut,
  markPage,
  newContext,
  register,
  stillSamePage,
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

test('with JavaScript: register, post, follow, read the timeline, scroll to its end, log out', async (t) => {
  const context = await newContext(browser)
  const page = await context.newPage()
  const me = uniqueName('htmx')

  await t.test('registering logs in and lands on the home page', async () => {
    await register(page, me)
    assert.match(await page.locator('main h1').textContent(), new RegExp(me))
    assert.match(await page.locator('#messages-top').textContent(), /Welcome/)
  })

  const body = `Hello from ${me}, posted with htmx.`
  await t.test('a new post appears at the top without a reload and the form clears', async () => {
    await markPage(page)
    await page.fill('#field-body', body)
    await page.locator('#post-form button[type=submit]').click()
    await page.locator('#posts .post-body', { hasText: body }).waitFor()
    assert.equal(await stillSamePage(page), true, 'the page was reloaded')
    assert.equal(await page.inputValue('#field-body'), '')
    assert.equal((await timelinePosts(page))[0].body, body)
    assert.match(await page.locator('#messages-top').textContent(), /Your post is now live!/)
  })

  await t.test('following from a profile swaps the button and updates the counts in place', async () => {
    await page.goto(`/user/${ALICE}`)
    const followersBefore = countIn(await followersText(page))
    await markPage(page)
    const button = page.locator('form.follow-form button')
    assert.equal((await button.textContent()).trim(), 'Follow')
    await button.click()
    await page.locator('form.follow-form button', { hasText: 'Unfollow' }).waitFor()
    await page.waitForFunction((expected) => {
      const link = document.querySelector('.stats a[href$="/followers"]')
      return link && Number((/(\d[\d,]*)/.exec(link.textContent) ?? ['', ''])[1].replace(/,/g, '')) === expected
    }, followersBefore + 1)
    assert.equal(await stillSamePage(page), true, 'the page was reloaded')
  })

  await t.test("the home timeline shows the followed member's posts", async () => {
    await page.goto('/')
    const posts = await timelinePosts(page)
    assert.equal(posts.length, 25)
    assert.equal(posts[0].body, body)
    assert.ok(posts.slice(1).every((p) => p.author === ALICE))
  })

  await t.test('scrolling to the bottom loads the next page, and loading stops at the end', async () => {
    const pageLoads = []
    page.on('request', (request) => {
      if (/[?&]before=/.test(request.url())) pageLoads.push(request.url())
    })
    await markPage(page)
    const total = ALICE_POSTS + 1
    for (let i = 0; i < 5; i++) {
      await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight))
      await page.waitForTimeout(400)
    }
    await page.waitForFunction((n) => document.querySelectorAll('#posts article.post').length === n, total)
    await page.locator('#posts .end-of-list').waitFor({ state: 'attached' })
    assert.equal(await page.locator('#posts .more').count(), 0, 'an "older posts" loader is still there')
    // More scrolling asks for nothing more.
    await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight))
    await page.waitForTimeout(800)
    const posts = await timelinePosts(page)
    assert.equal(posts.length, total)
    assert.equal(new Set(posts.map((p) => p.id)).size, total, 'a post is shown twice')
    assert.equal(pageLoads.length, 1, `expected one page load, got ${pageLoads.join(', ')}`)
    assert.equal(await stillSamePage(page), true, 'the page was reloaded')
    // Times in the page that came by infinite scroll are relative too.
    await page.waitForFunction(() =>
      [...document.querySelectorAll('#posts time[data-relative]')].every((el) => el.hasAttribute('data-rendered')),
    )
  })

  await t.test('logging out ends the session', async () => {
    await logOut(page)
    assert.match(await page.locator('#messages-top').textContent(), /logged out/)
    await page.goto('/')
    assert.match(page.url(), /\/auth\/login\?next=%2F$/)
  })

  await context.close()
})
