// Settings → Your data in a real browser: an export whose progress bar reaches 100% without a
// reload — pushed through the member's live channel with no polling request while the socket
// is up, and by the 2 s polling fallback when the socket is refused — its download, and an
// account deletion after which the profile is 404.
/* global document, MutationObserver, window */
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { after, before, test } from 'node:test'
import { launchBrowser, logIn, markPage, newContext, PASSWORD, register, stillSamePage, uniqueName } from '../lib.mjs'
import { EXPORTER, EXPORTER_MESSAGES, SEEDED_PASSWORD } from '../seed.mjs'

let browser
before(async () => {
  browser = await launchBrowser()
})
after(async () => {
  await browser?.close()
})

const STATUS_URL = /\/settings\/export\/\d+\/status$/

/** Counts the page's requests to the polling URL, and keeps the frames its live socket receives. */
function watchTraffic(page) {
  const traffic = { polls: 0, frames: [] }
  page.on('request', (request) => {
    if (STATUS_URL.test(new URL(request.url()).pathname)) traffic.polls += 1
  })
  page.on('websocket', (ws) => ws.on('framereceived', (frame) => traffic.frames.push(String(frame.payload))))
  return traffic
}

/** A new member with one post, on Settings → Your data. */
async function memberWithAPost(page, prefix) {
  const me = uniqueName(prefix)
  await register(page, me)
  await page.fill('#field-body', `A post by ${me} for the export.`)
  await page.locator('#post-form button[type=submit]').click()
  await page.locator('#posts .post-body', { hasText: me }).waitFor()
  return me
}

/**
 * Starts an export from the form on Settings → Your data. With JavaScript the form replaces
 * only its card (htmx), so the page and its live socket stay; resolves with the new card's
 * HTML as the server sent it.
 */
async function startExport(page, live) {
  await page.goto('/settings/data')
  await page.locator(`html[data-live="${live}"]`).waitFor({ state: 'attached', timeout: 5000 })
  await markPage(page)
  await recordStates(page)
  const [response] = await Promise.all([
    page.waitForResponse((r) => new URL(r.url()).pathname === '/settings/export'),
    page.locator('form[action="/settings/export"] button').click(),
  ])
  assert.equal(response.status(), 200)
  await page.locator('#export-section .flash', { hasText: 'Your export has started' }).waitFor()
  return response.text()
}

/** Records every progress value and state the export list shows, to check it never goes back. */
async function recordStates(page) {
  await page.evaluate(() => {
    window.__exportStates = []
    // Polls as htmx sends them (a cancelled poll never gets here), besides the network's count.
    window.__polls = 0
    document.addEventListener('htmx:beforeRequest', (event) => {
      if (/\/settings\/export\/\d+\/status$/.test(event.detail.pathInfo.requestPath)) window.__polls += 1
    })
    const note = () => {
      for (const item of document.querySelectorAll('.exports .export')) {
        const value = Number(item.querySelector('progress')?.value ?? -1)
        const last = window.__exportStates.findLast((s) => s.id === item.id)
        if (!last || last.state !== item.className || last.value !== value) {
          window.__exportStates.push({ id: item.id, state: item.className, value })
        }
      }
    }
    new MutationObserver(note).observe(document.querySelector('main'), {
      childList: true,
      subtree: true,
      attributes: true,
    })
  })
}

/** Progress values of the export status frames, in arrival order. */
function framedValues(frames, id) {
  return frames
    .filter((f) => f.includes(`id="export-${id}"`))
    .map((f) => Number(/<progress max="100" value="(\d+)"/.exec(f)?.[1] ?? -1))
}

test("a long export: the bar fills from pushes over the member's live socket, with no polling request", async (t) => {
  const context = await newContext(browser, { acceptDownloads: true })
  const page = await context.newPage()
  const traffic = watchTraffic(page)
  await logIn(page, EXPORTER, SEEDED_PASSWORD)
  let id

  await t.test('the bar reaches 100% without a reload and without a poll while the socket is up', async () => {
    const card = await startExport(page, 'open')
    id = /id="export-(\d+)"/.exec(card)[1]
    // The card came back with the export queued (or just started) …
    assert.match(card, new RegExp(`id="export-${id}" class="export export-(queued|running)"`))
    await page.locator(`#export-${id} progress[value="100"]`).waitFor({ timeout: 60_000 })
    await page.locator(`#export-${id} a`, { hasText: 'Download' }).waitFor()
    assert.equal(await stillSamePage(page), true, 'the page was reloaded')
    // … the bar moved through pushed frames, and Done with its download link came the same way …
    const values = framedValues(traffic.frames, id)
    t.diagnostic(`${values.length} export frames over the socket: ${values.join(' ')}`)
    assert.ok(values.length >= 1, 'no export frame over the socket')
    const done = traffic.frames.filter((f) => f.includes(`id="export-${id}"`) && f.includes('export-done'))
    assert.equal(done.length, 1, 'one Done frame')
    assert.match(done[0], new RegExp(`/settings/export/${id}/download`))
    // … while no poll was sent, not even after the bar was full.
    await page.waitForTimeout(2500)
    assert.equal(traffic.polls, 0, 'the page polled although its socket was open')
    assert.equal(await page.evaluate(() => window.__polls), 0, 'htmx sent a poll although the socket was open')
    // What the page showed only moved forward, and ended at Done (no flicker back).
    const states = (await page.evaluate(() => window.__exportStates)).filter((s) => s.id === `export-${id}`)
    assert.ok(states.length >= 2, JSON.stringify(states))
    for (let i = 1; i < states.length; i++) {
      assert.ok(states[i].value >= states[i - 1].value, `the bar went back: ${JSON.stringify(states)}`)
    }
    assert.match(states[states.length - 1].state, /export-done/)
  })

  await t.test('the download holds all 20,000 messages', async () => {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.locator(`#export-${id} a`, { hasText: 'Download' }).click(),
    ])
    const archive = JSON.parse(await readFile(await download.path(), 'utf8'))
    assert.equal(archive.profile.username, EXPORTER)
    assert.equal(archive.messagesReceived.length, EXPORTER_MESSAGES)
  })
  await context.close()
})

test('with the live socket refused, the bar still fills by polling every 2 s, and polling stops at Done', async () => {
  const context = await newContext(browser)
  // Every live socket is refused, as behind a proxy that does not pass WebSockets: the page's
  // WebSocket connects to a path that answers 404 instead of /live.
  await context.addInitScript(() => {
    const Native = window.WebSocket
    const Refused = function (url, protocols) {
      return new Native(String(url).replace(/\/live$/, '/no-live-here'), protocols)
    }
    Refused.prototype = Native.prototype
    for (const name of ['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED']) Refused[name] = Native[name]
    window.WebSocket = Refused
  })
  const page = await context.newPage()
  const traffic = watchTraffic(page)
  await logIn(page, EXPORTER, SEEDED_PASSWORD)
  const card = await startExport(page, 'closed')
  const id = /id="export-(\d+)"/.exec(card)[1]

  assert.match(card, /class="export export-(queued|running)"/)
  await page.locator(`#export-${id} progress[value="100"]`).waitFor({ timeout: 60_000 })
  await page.locator(`#export-${id} a`, { hasText: 'Download' }).waitFor()
  assert.equal(await stillSamePage(page), true, 'the page was reloaded')
  const sent = await page.evaluate(() => window.__polls)
  assert.ok(sent >= 1 || traffic.polls >= 1, 'the fallback did not poll')
  assert.equal(traffic.frames.filter((f) => f.includes('id="export-')).length, 0, 'a frame came over a refused socket')
  const polls = traffic.polls
  await page.waitForTimeout(2500)
  assert.equal(traffic.polls, polls, 'polling went on after Done')
  await context.close()
})

test('export my data, download it; then delete the account', async (t) => {
  const context = await newContext(browser, { acceptDownloads: true })
  const page = await context.newPage()
  const me = await memberWithAPost(page, 'data')

  await t.test('the export starts from the form and its bar reaches 100% without a reload', async () => {
    await startExport(page, 'open')
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
