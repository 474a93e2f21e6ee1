import { and, eq } from 'drizzle-orm'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { postTranslations, posts } from '../../src/db/schema'
import { createPost } from '../../src/features/posts/queries'
import { TRANSLATE_LIMIT } from '../../src/features/translate/routes'
import {
  TRANSLATION_MODEL,
  setTranslatorForTests,
  workersAiTranslator,
  type Translator,
} from '../../src/features/translate/translator'
import { Client, db, loggedIn, makeUser } from '../helpers'

const SPANISH_TEXT = 'Hoy fui al mercado con mi hermana y compramos frutas frescas para preparar una cena deliciosa'
const ENGLISH_TEXT = 'Today I went to the market with my sister and we bought fresh fruit for a delicious dinner'

/** A translator that records its calls and answers with `reply` (a test double, never shipped). */
function fakeTranslator(reply = (text: string, from: string, to: string) => `[${from}→${to}] ${text}`) {
  const calls: Array<[string, string, string]> = []
  const translator: Translator & { calls: typeof calls } = {
    calls,
    async translate(text, from, to) {
      calls.push([text, from, to])
      return reply(text, from, to)
    },
  }
  setTranslatorForTests(translator)
  return translator
}

afterEach(() => setTranslatorForTests(undefined))

async function postIn(language: string | null, body = language === 'es' ? SPANISH_TEXT : ENGLISH_TEXT) {
  const author = await makeUser()
  return createPost(db, author, body, language)
}

/** The markup of one post on a page. */
function article(html: string, postId: number): string {
  const match = new RegExp(`<article class="post" id="post-${postId}">[\\s\\S]*?</article>`).exec(html)
  if (!match) throw new Error(`post ${postId} is not on the page`)
  return match[0]
}

const translateForm = (postId: number) => `<form method="post" action="/translate/${postId}"`

describe('the Translate link', () => {
  it('shows only on posts whose known language differs from the reader’s', async () => {
    const spanish = await postIn('es')
    const english = await postIn('en')
    const unknown = await postIn(null, 'hola')

    const forEnglish = await (await new Client().get('/explore', { headers: { 'Accept-Language': 'en' } })).text()
    expect(article(forEnglish, spanish.id)).toContain(translateForm(spanish.id))
    expect(article(forEnglish, spanish.id)).toContain('data-hx-post="/translate/')
    expect(article(forEnglish, spanish.id)).toContain('>Translate</button>')
    expect(article(forEnglish, english.id)).not.toContain('/translate/')
    expect(article(forEnglish, unknown.id)).not.toContain('/translate/')

    const forSpanish = await (await new Client().get('/explore', { headers: { 'Accept-Language': 'es' } })).text()
    expect(article(forSpanish, english.id)).toContain(translateForm(english.id))
    expect(article(forSpanish, english.id)).toContain('>Traducir</button>')
    expect(article(forSpanish, spanish.id)).not.toContain('/translate/')
    expect(article(forSpanish, unknown.id)).not.toContain('/translate/')
  })
})

describe('POST /translate/:postId', () => {
  it('answers htmx with a fragment that holds the translation', async () => {
    const fake = fakeTranslator(() => 'Today I went to the market with my sister')
    const post = await postIn('es')
    const { client } = await loggedIn()
    const response = await client.post(`/translate/${post.id}`, {}, { htmx: true })
    expect(response.status).toBe(200)
    expect(response.headers.get('Vary')).toContain('HX-Request')
    const html = await response.text()
    expect(html).not.toContain('<html')
    expect(html).toContain('<p class="translation-body" lang="en">Today I went to the market with my sister</p>')
    expect(html).toContain('Translated from Spanish')
    expect(fake.calls).toEqual([[SPANISH_TEXT, 'es', 'en']])
  })

  it('translates into the reader’s language (a member’s saved choice)', async () => {
    const fake = fakeTranslator()
    const post = await postIn('en')
    const { client } = await loggedIn()
    await client.post('/language', { lang: 'es', next: '/' })
    const html = await (await client.post(`/translate/${post.id}`, {}, { htmx: true })).text()
    expect(html).toContain(`<p class="translation-body" lang="es">[en→es] ${ENGLISH_TEXT}</p>`)
    expect(html).toContain('Traducido del inglés')
    expect(fake.calls).toEqual([[ENGLISH_TEXT, 'en', 'es']])
  })

  it('serves the second request from the D1 cache (the translator is called once)', async () => {
    const fake = fakeTranslator()
    const post = await postIn('es')
    const { client } = await loggedIn()
    const first = await (await client.post(`/translate/${post.id}`, {}, { htmx: true })).text()
    const { client: other } = await loggedIn()
    const second = await (await other.post(`/translate/${post.id}`, {}, { htmx: true })).text()
    expect(second).toBe(first)
    expect(fake.calls).toHaveLength(1)
    const rows = await db
      .select()
      .from(postTranslations)
      .where(and(eq(postTranslations.postId, post.id), eq(postTranslations.language, 'en')))
    expect(rows.map((row) => row.body)).toEqual([`[es→en] ${SPANISH_TEXT}`])

    // A reader of another language gets (and caches) their own translation.
    await other.post('/language', { lang: 'es', next: '/' })
    const english = await postIn('en')
    await other.post(`/translate/${english.id}`, {}, { htmx: true })
    expect(fake.calls).toHaveLength(2)
  })

  it('without JavaScript, a form post shows a page with the post and its translation', async () => {
    fakeTranslator(() => 'Today I went to the market')
    const post = await postIn('es')
    const { client } = await loggedIn()
    const response = await client.post(`/translate/${post.id}`)
    expect(response.status).toBe(200)
    const html = await response.text()
    expect(html).toMatch(/^<!DOCTYPE html><html lang="en">/)
    expect(html).toContain('<title>Translation · Microblog</title>')
    expect(article(html, post.id)).toContain(`<p class="post-body" dir="auto" lang="es">${SPANISH_TEXT}</p>`)
    expect(article(html, post.id)).toContain('Today I went to the market')
    expect(article(html, post.id)).not.toContain(translateForm(post.id))
  })

  it('says clearly that translation is not available when no translator is configured', async () => {
    setTranslatorForTests(null)
    const post = await postIn('es')
    const { client } = await loggedIn()
    const fragment = await client.post(`/translate/${post.id}`, {}, { htmx: true })
    expect(fragment.status).toBe(200)
    expect(await fragment.text()).toContain('Translation is not available on this site.')
    const page = await client.post(`/translate/${post.id}`)
    expect(page.status).toBe(200)
    expect(await page.text()).toContain('Translation is not available on this site.')
  })

  it('has no translator by default in tests and local development (no AI binding)', async () => {
    const post = await postIn('es')
    const { client } = await loggedIn()
    const response = await client.post(`/translate/${post.id}`, {}, { htmx: true })
    expect(response.status).toBe(200)
    expect(await response.text()).toContain('Translation is not available on this site.')
  })

  it('reports a translator failure without a 500, caches nothing, and tries again next time', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {})
    let fail = true
    const fake = fakeTranslator((text) => {
      if (fail) throw new Error('model unavailable')
      return `ok: ${text}`
    })
    const post = await postIn('es')
    const { client } = await loggedIn()
    const first = await client.post(`/translate/${post.id}`, {}, { htmx: true })
    expect(first.status).toBe(200)
    expect(await first.text()).toContain('The translation did not work this time.')
    fail = false
    expect(await (await client.post(`/translate/${post.id}`, {}, { htmx: true })).text()).toContain('ok: ')
    expect(fake.calls).toHaveLength(2)
  })

  it('shows a translation containing markup as text', async () => {
    fakeTranslator(() => '<script>alert(1)</script><img src=x onerror=alert(2)> & "quotes"')
    const post = await postIn('es')
    const { client } = await loggedIn()
    for (const options of [{ htmx: true }, {}]) {
      const html = await (await client.post(`/translate/${post.id}`, {}, options)).text()
      expect(html).toContain(
        '&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt; &amp; &quot;quotes&quot;',
      )
      expect(html).not.toContain('<script>alert')
      expect(html).not.toContain('<img src=x')
    }
  })

  it('is rate-limited per member: over the limit → 429 with Retry-After', async () => {
    const fake = fakeTranslator()
    const post = await postIn('es')
    const { client } = await loggedIn()
    for (let i = 0; i < TRANSLATE_LIMIT.limit; i++) {
      expect((await client.post(`/translate/${post.id}`, {}, { htmx: true })).status).toBe(200)
    }
    const limited = await client.post(`/translate/${post.id}`, {}, { htmx: true })
    expect(limited.status).toBe(429)
    expect(Number(limited.headers.get('Retry-After'))).toBeGreaterThan(0)
    expect(await limited.text()).toContain('You have translated many posts in a short time.')
    const page = await client.post(`/translate/${post.id}`)
    expect(page.status).toBe(429)
    expect(page.headers.get('Retry-After')).not.toBeNull()

    // Another member is not affected.
    const { client: other } = await loggedIn()
    expect((await other.post(`/translate/${post.id}`, {}, { htmx: true })).status).toBe(200)
    expect(fake.calls).toHaveLength(1)
  })

  it('sends anonymous visitors to log in', async () => {
    const post = await postIn('es')
    const plain = await new Client().post(`/translate/${post.id}`)
    expect(plain.status).toBe(303)
    expect(plain.headers.get('Location')).toMatch(/^\/auth\/login\?next=/)
    const htmx = await new Client().post(`/translate/${post.id}`, {}, { htmx: true })
    expect(htmx.status).toBe(401)
    expect(htmx.headers.get('HX-Redirect')).toMatch(/^\/auth\/login/)
  })

  it('refuses a cross-site post (CSRF)', async () => {
    const fake = fakeTranslator()
    const post = await postIn('es')
    const { client } = await loggedIn()
    const response = await client.post(`/translate/${post.id}`, {}, { origin: 'https://evil.example' })
    expect(response.status).toBe(403)
    expect(fake.calls).toHaveLength(0)
  })

  it('answers 404 for a malformed or unknown post id, and 400 when there is nothing to translate', async () => {
    const fake = fakeTranslator()
    const { client } = await loggedIn()
    for (const id of ['abc', '0', '-1', '1e3', '99999999999999999999', '999999']) {
      expect((await client.post(`/translate/${id}`, {}, { htmx: true })).status).toBe(404)
    }
    const english = await postIn('en')
    const unknown = await postIn(null)
    for (const post of [english, unknown]) {
      const response = await client.post(`/translate/${post.id}`, {}, { htmx: true })
      expect(response.status).toBe(400)
      expect(await response.text()).toContain('This post is already in your language, or its language is unknown.')
    }
    expect(fake.calls).toHaveLength(0)
  })
})

describe('language detection when a post is saved', () => {
  it('stores the detected language, or null for a very short post', async () => {
    const { client, user } = await loggedIn()
    await client.post('/', { body: SPANISH_TEXT })
    await client.post('/', { body: 'hola amigos' })
    const rows = await db
      .select({ body: posts.body, language: posts.language })
      .from(posts)
      .where(eq(posts.userId, user.id))
    expect(Object.fromEntries(rows.map((row) => [row.body, row.language]))).toEqual({
      [SPANISH_TEXT]: 'es',
      'hola amigos': null,
    })
  })
})

describe('workersAiTranslator', () => {
  /** Stands in for the AI binding, which only exists in production. */
  function stubAi(output: unknown) {
    const runs: unknown[][] = []
    const ai = {
      async run(...args: unknown[]) {
        runs.push(args)
        return output
      },
    } as unknown as Ai
    return { ai, runs }
  }

  it('asks the translation model with ISO 639-1 source and target codes', async () => {
    const { ai, runs } = stubAi({ translated_text: ' Hola a todos ' })
    expect(await workersAiTranslator(ai).translate('Hello everyone', 'en', 'es')).toBe('Hola a todos')
    expect(runs).toEqual([[TRANSLATION_MODEL, { text: 'Hello everyone', source_lang: 'en', target_lang: 'es' }]])
    expect(TRANSLATION_MODEL).toBe('@cf/meta/m2m100-1.2b')
  })

  it('treats an empty answer as a failure (so nothing empty is cached)', async () => {
    for (const output of [{}, { translated_text: '   ' }, { request_id: 'async-123' }]) {
      await expect(workersAiTranslator(stubAi(output).ai).translate('Hello', 'en', 'es')).rejects.toThrow()
    }
  })
})
