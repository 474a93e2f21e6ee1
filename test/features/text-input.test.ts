import { describe, expect, it } from 'vitest'
import { loggedIn, postBodies } from '../helpers'
import { getUserById } from '../../src/features/users/queries'
import { db } from '../helpers'

describe('POST / (text that must not get through)', () => {
  it('stores a post without NUL and control characters, blank-line runs collapsed', async () => {
    const { client } = await loggedIn()
    const response = await client.post('/', { body: 'one\u0000two\u0007\r\n\r\n\r\n\r\n\r\nthree' })
    expect(response.status).toBe(303)
    expect(postBodies(await (await client.get('/')).text())[0]).toBe('onetwo\n\n\nthree')
  })

  it('refuses bidi override/isolate controls with a message, keeping the typed text', async () => {
    const { client } = await loggedIn()
    const response = await client.post('/', { body: 'invoice \u202egpj.exe' }, { htmx: true })
    expect(response.status).toBe(422)
    const html = await response.text()
    expect(html).toContain('direction-changing characters')
    expect(html).toContain('>invoice \u202egpj.exe</textarea>')
  })

  it('refuses a post of only zero-width characters or spaces', async () => {
    const { client } = await loggedIn()
    for (const body of ['\u200b\u200b\u200b', '\u200d \u2060', '\u3164']) {
      const response = await client.post('/', { body })
      expect(response.status).toBe(422)
      expect(await response.text()).toContain('Please write something first.')
    }
  })

  it('refuses a zalgo post that is short in characters but long in code points', async () => {
    const { client } = await loggedIn()
    const zalgo = ('h' + '\u0336\u0334\u0335'.repeat(30)).repeat(100)
    const response = await client.post('/', { body: zalgo })
    expect(response.status).toBe(422)
    expect(await response.text()).toContain('A post can be at most 140 characters.')
  })

  it('renders posts with dir="auto" and their detected language', async () => {
    const { client } = await loggedIn()
    await client.post('/', { body: 'Hoy fui al mercado con mi hermana y compramos muchas frutas frescas.' })
    await client.post('/', { body: 'שלום' })
    const html = await (await client.get('/')).text()
    expect(html).toMatch(/<p class="post-body" dir="auto">שלום<\/p>/)
    expect(html).toMatch(/<p class="post-body" dir="auto" lang="es">Hoy fui/)
  })
})

describe('POST /settings/profile (about me)', () => {
  it('normalises about me and refuses bidi controls or invisible-only text', async () => {
    const { user, client } = await loggedIn()
    let response = await client.post('/settings/profile', { username: user.username, about_me: '\u2067hi\u2069' })
    expect(response.status).toBe(422)
    expect(await response.text()).toContain('direction-changing characters')
    response = await client.post('/settings/profile', { username: user.username, about_me: '\u200b\u200b' })
    expect(response.status).toBe(422)
    expect(await response.text()).toContain('About me cannot be only spaces or invisible characters.')
    response = await client.post('/settings/profile', { username: user.username, about_me: 'a\u0000b\r\nc' })
    expect(response.status).toBe(303)
    expect((await getUserById(db, user.id))!.aboutMe).toBe('ab\nc')
    const profile = await (await client.get(`/user/${user.username}`)).text()
    expect(profile).toContain('<p class="about" dir="auto">ab\nc</p>')
    // Empty stays allowed.
    response = await client.post('/settings/profile', { username: user.username, about_me: '  ' })
    expect(response.status).toBe(303)
  })
})
