// Settings → Your data in a real browser: an export whose progress bar reaches 100% without a
// reload (htmx polling), its download, and an account deletion after which the profile is 404.
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { after, before, test } from 'node:test'
import { launchBrowser, markPage, newContext, PASSWORD, register, stillSamePage, uniqueName } from '../lib.mjs'

let browser
before(async () => {
  browser = await launchBrowser()
})
after(async () => {
  await browser?.close()
})

test('export my data, watch the bar fill, download it; then delete the account', async (t) => {
  const context = await newContext(browser, { acceptDownloads: true })
  const page = await context.newPage()
  const me = uniqueName('data')
  await register(page, me)
  await page.fill('#field-body', `A post by ${me} for the export.`)
  await page.locator('#post-form button[type=submit]').click()
  await page.locator('#posts .post-body', { hasText: me }).waitFor()

  await t.test('the export starts from the form and its bar reaches 100% without a reload', async () => {
    await page.goto('/settings/data')
    await Promise.all([
      page.waitForURL(/\/settings\/data$/),
      page.locator('form[action="/settings/export"] button').click(),
    ])
    assert.match(await page.locator('.flash').textContent(), /Your export has started/)
    await markPage(page)
    await page.locator('.exports progress[value="100"]').waitFor({ timeout: 30_000 })
    assert.equal(await stillSamePage(page), true, 'the page was reloaded')
    await page.locator('.exports a', { hasText: 'Download' }).waitFor()
  })

  await t.test('the download is the JSON archive with the post', async () => {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('.exports a', { hasText: 'Download' }).click(),
    ])
    assert.match(download.suggestedFilename(), new RegExp(`^microblog-${me}-\\d{4}-\\d{2}-\\d{2}\\.json$`))
    const archive = JSON.parse(await readFile(await download.path(), 'utf8'))
    assert.equal(archive.profile.username, me)
    assert.deepEqual(
      archive.posts.map((post) => post.body),
      [`A post by ${me} for the export.`],
    )
  })

  await t.test('deleting the account logs out and the profile is a 404 at once', async () => {
    await page.goto('/settings/data')
    await page.fill('#field-password', PASSWORD)
    await page.fill('#field-confirm', me)
    await Promise.all([
      page.waitForURL(/\/explore$/),
      page.locator('form[action="/settings/delete-account"] button').click(),
    ])
    assert.match(await page.locator('.flash').textContent(), /Your account has been deleted/)
    const response = await page.goto(`/user/${me}`)
    assert.equal(response.status(), 404)
  })

  await context.close()
})
