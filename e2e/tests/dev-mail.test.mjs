// /dev/mail in development: a password-reset email requested through the UI shows up with its
// own styles (its HTML in a sandboxed frame with its own policy), not as bare Times text.
/* global window */
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { launchBrowser, newContext, screenshotDir } from '../lib.mjs'

let browser
before(async () => {
  browser = await launchBrowser()
})
after(async () => {
  await browser?.close()
})

test("the outbox shows a reset email with the email's own styles, in a sandboxed frame", async () => {
  const context = await newContext(browser)
  const page = await context.newPage()
  await page.goto('/auth/reset-password')
  await page.fill('#field-email', 'alice@example.com')
  await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/auth/reset-password') && r.request().method() === 'POST'),
    page.locator('main form button[type=submit]').click(),
  ])
  await page.waitForLoadState('load')

  // The queue consumer delivers within a second or two: reload until the email is listed.
  const frame = page.locator('iframe.dev-mail-html').first()
  for (let i = 0; i < 40 && (await frame.count()) === 0; i++) {
    await page.goto('/dev/mail')
    if ((await frame.count()) === 0) await page.waitForTimeout(500)
  }
  assert.equal(await frame.getAttribute('sandbox'), '', 'the frame is sandboxed with no allow-* token')
  assert.match((await frame.getAttribute('src')) ?? '', /^\/dev\/mail\/\d+\/html$/)
  assert.equal(await frame.getAttribute('width'), null)

  const email = page.frameLocator('iframe.dev-mail-html').first()
  await email.locator('body').waitFor()
  const style = await email.locator('body').evaluate((body) => {
    const computed = window.getComputedStyle(body)
    return { font: computed.fontFamily, background: computed.backgroundColor, padding: computed.paddingTop }
  })
  // The email's inline styles apply: its system-ui font stack, grey background and padding.
  assert.match(style.font, /system-ui/)
  assert.equal(style.background, 'rgb(244, 244, 245)')
  assert.equal(style.padding, '24px')

  await page
    .locator('.dev-mail-item')
    .first()
    .screenshot({ path: join(screenshotDir(), 'dev-mail.png') })
  await context.close()
})
