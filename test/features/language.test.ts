import { ABSOLUTE_TIME_OPTIONS } from '../../src/lib/time-format'
import { eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { users } from '../../src/db/schema'
import { createPost } from '../../src/features/posts/queries'
import { Client, db, loggedIn, makeUser } from '../helpers'
import { waitForMail } from '../mailbox'

const SPANISH = { 'Accept-Language': 'es-ES,es;q=0.9,en;q=0.5' }
const ENGLISH = { 'Accept-Language': 'en-US,en;q=0.9' }

function htmlLang(html: string): string | undefined {
  return /<html lang="([^"]*)"/.exec(html)?.[1]
}

describe('choosing the language', () => {
  it('serves Spanish pages for Accept-Language: es', async () => {
    const response = await new Client().get('/auth/login', { headers: SPANISH })
    expect(response.status).toBe(200)
    expect(response.headers.get('Content-Language')).toBe('es')
    const html = await response.text()
    expect(htmlLang(html)).toBe('es')
    expect(html).toContain('Iniciar sesión')
    expect(html).toContain('Contraseña')
    expect(html).not.toContain('Password')
  })

  it('serves English when the header asks for it, and when there is no header', async () => {
    for (const headers of [ENGLISH, {}]) {
      const html = await (await new Client().get('/auth/login', { headers })).text()
      expect(htmlLang(html)).toBe('en')
      expect(html).toContain('Password')
    }
  })

  it('falls back to English for a language it does not have', async () => {
    const html = await (await new Client().get('/explore', { headers: { 'Accept-Language': 'ja,zh;q=0.8' } })).text()
    expect(htmlLang(html)).toBe('en')
  })

  it('shows error pages in the chosen language', async () => {
    const response = await new Client().get('/no-such-page', { headers: SPANISH })
    expect(response.status).toBe(404)
    const html = await response.text()
    expect(htmlLang(html)).toBe('es')
    expect(html).toContain('Página no encontrada')
  })

  it('formats server-side dates in the chosen language', async () => {
    const author = await makeUser()
    const at = Date.UTC(2026, 0, 15, 9, 30)
    await createPost(db, author, 'A post with a fixed date for the date format test', 'en', at)
    const expected = (lang: string) => new Intl.DateTimeFormat(lang, ABSOLUTE_TIME_OPTIONS).format(at)
    expect(expected('es')).not.toBe(expected('en'))
    const spanish = await (await new Client().get(`/user/${author.username}`, { headers: SPANISH })).text()
    expect(spanish).toContain(`>${expected('es')}</time>`)
    const english = await (await new Client().get(`/user/${author.username}`, { headers: ENGLISH })).text()
    expect(english).toContain(`>${expected('en')}</time>`)
    // Until the script makes it relative, the absolute time names its zone.
    expect(expected('en')).toBe('Jan 15, 2026, 9:30 AM UTC')
  })
})

describe('POST /language (the footer switcher)', () => {
  it('is in the footer of every page, as a plain form with the current page as next', async () => {
    const html = await (await new Client().get('/explore?before=abc', { headers: SPANISH })).text()
    const form = /<form method="post" action="\/language"[\s\S]*?<\/form>/.exec(html)?.[0]
    expect(form).toBeDefined()
    expect(form).toContain('name="next" value="/explore?before=abc"')
    expect(form).toContain('<option value="es" lang="es" selected="">Español</option>')
    expect(form).toContain('<label for="language-select">Idioma</label>')
    expect(form).toContain('type="submit"')
  })

  it('saves a visitor choice in a cookie and redirects to next; the cookie beats Accept-Language', async () => {
    const client = new Client()
    const response = await client.post('/language', { lang: 'es', next: '/explore' }, { headers: ENGLISH })
    expect(response.status).toBe(303)
    expect(response.headers.get('Location')).toBe('/explore')
    expect(response.headers.getSetCookie().join('\n')).toMatch(/lang=es;.*Max-Age=\d+/)
    const page = await (await client.get('/explore', { headers: ENGLISH })).text()
    expect(htmlLang(page)).toBe('es')
    expect(page).toContain('Idioma cambiado.')

    // And back: the saved choice wins over a Spanish header too.
    await client.post('/language', { lang: 'en', next: '/explore' }, { headers: SPANISH })
    expect(htmlLang(await (await client.get('/explore', { headers: SPANISH })).text())).toBe('en')
  })

  it('saves a member choice on the account, which beats the cookie and the header elsewhere', async () => {
    const { user, client } = await loggedIn()
    const response = await client.post('/language', { lang: 'es', next: '/' }, { headers: ENGLISH })
    expect(response.status).toBe(303)
    const row = await db.select({ language: users.language }).from(users).where(eq(users.id, user.id)).get()
    expect(row?.language).toBe('es')

    // Another device: no language cookie, an English browser, an English cookie even.
    const other = new Client()
    await other.login(user.username)
    other.cookies.set('lang', 'en')
    const html = await (await other.get('/', { headers: ENGLISH })).text()
    expect(htmlLang(html)).toBe('es')
    expect(html).toContain(`¡Hola, ${user.username}!`)
  })

  it('never redirects off-site', async () => {
    for (const next of [
      'https://evil.com',
      '//evil.com',
      '/\\evil.com',
      'javascript:alert(1)',
      '/%2F%2Fevil.com',
      '',
    ]) {
      const response = await new Client().post('/language', { lang: 'es', next })
      expect(response.status).toBe(303)
      expect(response.headers.get('Location')).toBe('/')
    }
  })

  it('refuses a language it does not have', async () => {
    for (const lang of ['xx', '', 'EN-gb', '../es']) {
      const client = new Client()
      const response = await client.post('/language', { lang, next: '/' })
      expect(response.status).toBe(400)
      expect(client.cookies.has('lang')).toBe(false)
    }
  })

  it('refuses a cross-site post (CSRF)', async () => {
    const { user, client } = await loggedIn()
    const response = await client.post('/language', { lang: 'es', next: '/' }, { origin: 'https://evil.example' })
    expect(response.status).toBe(403)
    const row = await db.select({ language: users.language }).from(users).where(eq(users.id, user.id)).get()
    expect(row?.language).not.toBe('es')
  })

  it('ignores a forged language cookie', async () => {
    const client = new Client()
    client.cookies.set('lang', '<script>')
    const html = await (await client.get('/explore', { headers: SPANISH })).text()
    expect(htmlLang(html)).toBe('es')
  })
})

describe('emails in the recipient’s language', () => {
  it('writes a member’s password reset email in the language they chose', async () => {
    const { user, client } = await loggedIn()
    await client.post('/language', { lang: 'es', next: '/' })
    // Asked for from an English browser, logged out: the account's language decides.
    const answer = await new Client().post('/auth/reset-password', { email: user.email }, { headers: ENGLISH })
    expect(answer.status).toBe(200)
    const [mail] = await waitForMail(user.email)
    expect(mail!.subject).toBe('Restablece tu contraseña de Microblog')
    expect(mail!.text).toContain(`Hola, ${user.username}:`)
  })

  it('stores the language a visitor registered in, so their emails use it', async () => {
    const username = `es${Date.now().toString(36)}`
    const email = `${username}@example.com`
    const client = new Client()
    const response = await client.post(
      '/auth/register',
      { username, email, password: 'una contraseña larga 42', password2: 'una contraseña larga 42' },
      { headers: SPANISH },
    )
    expect(response.status).toBe(303)
    const row = await db.select({ language: users.language }).from(users).where(eq(users.email, email)).get()
    expect(row?.language).toBe('es')
    await new Client().post('/auth/reset-password', { email }, { headers: ENGLISH })
    const [mail] = await waitForMail(email)
    expect(mail!.subject).toBe('Restablece tu contraseña de Microblog')
  })
})
