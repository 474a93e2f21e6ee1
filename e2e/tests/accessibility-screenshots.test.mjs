// Each main page, in light and in dark mode: an axe-core scan (no serious or critical
// violation) and a full-page screenshot under e2e/artifacts/screenshots/.
/* global window */
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { join, relative } from 'node:path'
import { after, before, test } from 'node:test'
import { ALICE, BOB, EMAIL_CHANGE_TOKEN, SEEDED_PASSWORD, STALE_SESSION } from '../seed.mjs'
import { BASE_URL, launchBrowser, logIn, newContext, screenshotDir } from '../lib.mjs'

const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js')

const PAGES = [
  { name: 'explore', path: '/explore' },
  { name: 'login', path: '/auth/login' },
  { name: 'register', path: '/auth/register' },
  { name: 'profile', path: `/user/${ALICE}` },
  { name: 'home', path: '/', member: true },
  { name: 'profile-member', path: `/user/${ALICE}`, member: true },
  { name: 'followers', path: `/user/${ALICE}/followers`, member: true },
  { name: 'edit-profile', path: '/settings/profile', member: true },
  { name: 'your-data', path: '/settings/data', member: true },
  { name: 'inbox', path: '/messages', member: true },
  { name: 'thread', path: `/messages/${ALICE}`, member: true },
  { name: 'sessions', path: '/settings/sessions', member: true },
  { name: 'account', path: '/settings/account', member: true },
  {
    name: 'token-created',
    path: '/settings/sessions',
    member: true,
    submit: async (page) => {
      await page.fill('#field-name', 'Screenshot token')
      await page.locator('#api-tokens form button[type=submit]').last().click()
      await page.locator('#new-token').waitFor()
    },
  },
  // Bob's seeded session typed its password two hours ago: a sensitive change asks again.
  {
    name: 'confirm-password',
    path: '/settings/account',
    stale: true,
    submit: async (page) => {
      await page.fill('#field-email', 'bob.elsewhere@example.com')
      await page.locator('form[action="/settings/email"] button[type=submit]').click()
      await page.locator('#field-current_password').waitFor()
    },
  },
  { name: 'confirm-email', path: `/auth/confirm-email/${EMAIL_CHANGE_TOKEN}` },
  { name: 'email-link-invalid', path: '/auth/confirm-email/unknown', status: 410 },
  { name: 'not-found', path: '/user/nobody_here', status: 404 },
  { name: 'post', path: '/post/1' },
  { name: 'post-member', path: '/post/1', member: true },
  // Forms showing their errors (error text tied to fields, the login alert).
  {
    name: 'register-errors',
    path: '/auth/register',
    submit: async (page) => {
      await page.fill('#field-username', 'x')
      await page.fill('#field-email', 'not-an-email')
      await page.locator('main form button[type=submit]').click()
      await page.locator('.field.has-error').first().waitFor()
    },
  },
  {
    name: 'login-error',
    path: '/auth/login',
    submit: async (page) => {
      await page.fill('#field-login', 'nobody_here')
      await page.fill('#field-password', 'wrong password')
      await page.locator('main form button[type=submit]').click()
      await page.locator('#login-error').waitFor()
    },
  },
]

let browser
before(async () => {
  browser = await launchBrowser()
})
after(async () => {
  await browser?.close()
})

for (const colorScheme of ['light', 'dark']) {
  test(`accessibility and screenshots, ${colorScheme} mode`, async (t) => {
    // bypassCSP lets axe be injected into pages whose CSP allows only the app's own scripts.
    const visitor = await newContext(browser, { colorScheme, bypassCSP: true })
    const member = await newContext(browser, { colorScheme, bypassCSP: true })
    await logIn(await member.newPage(), BOB, SEEDED_PASSWORD)
    const stale = await newContext(browser, { colorScheme, bypassCSP: true })
    await stale.addCookies([{ name: 'session', value: STALE_SESSION, url: BASE_URL }])
    const dir = screenshotDir()

    for (const spec of PAGES) {
      await t.test(`${spec.name} (${spec.path})`, async (st) => {
        const page = await (spec.stale ? stale : spec.member ? member : visitor).newPage()
        const response = await page.goto(spec.path)
        assert.equal(response.status(), spec.status ?? 200)
        if (spec.submit) await spec.submit(page)
        await page.waitForLoadState('load')
        // Screenshots show the rendered relative times.
        if (await page.locator('time[data-relative]').count()) {
          await page.locator('time[data-relative][data-rendered]').first().waitFor({ state: 'attached' })
        }

        await page.addScriptTag({ path: axePath })
        const { violations, passes, incomplete } = await page.evaluate(async () => {
          const result = await window.axe.run(window.document, { resultTypes: ['violations'] })
          return {
            violations: result.violations.map((v) => ({
              id: v.id,
              impact: v.impact,
              help: v.help,
              targets: v.nodes.slice(0, 5).map((n) => n.target.join(' ')),
            })),
            passes: result.passes.map((r) => r.id),
            incomplete: result.incomplete.map((r) => r.id),
          }
        })
        // The scan really ran, contrast included (checked, or left for a person to check).
        assert.ok(passes.length > 10, `axe passed only ${passes.length} rules`)
        assert.ok([...passes, ...incomplete].includes('color-contrast'), 'axe did not check contrast')
        st.diagnostic(
          `axe: ${violations.length} violations, ${passes.length} rules passed, needs review: ${incomplete.join(', ') || 'none'}`,
        )
        for (const v of violations) st.diagnostic(`${v.impact}: ${v.id} — ${v.help} — ${v.targets.join(', ')}`)
        const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
        assert.deepEqual(serious, [], `serious/critical axe violations on ${spec.path}`)

        // Lazy avatars below the fold load (or fail to their fallback) once scrolled to.
        await page.evaluate(() => window.scrollTo(0, window.document.documentElement.scrollHeight))
        await page.waitForTimeout(150)
        await page.evaluate(() => window.scrollTo(0, 0))
        const file = join(dir, `${spec.name}-${colorScheme}.png`)
        await page.screenshot({ path: file, fullPage: true })
        st.diagnostic(`screenshot: ${relative(process.cwd(), file)}`)
        await page.close()
      })
    }
    await visitor.close()
    await member.close()
    await stale.close()
  })
}
