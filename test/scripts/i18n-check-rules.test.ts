/// <reference types="vite/client" />
import { describe, expect, it } from 'vitest'
import { checkCatalogs, findLiteralText, formatProblem } from '../../scripts/i18n-check-rules'

// The views as text: workerd cannot read files at test time, so Vite inlines them.
const views = import.meta.glob('../../src/**/*.tsx', { query: '?raw', import: 'default', eager: true })

const en = {
  'app.name': 'Microblog',
  'posts.count': { one: '{count} post', other: '{count} posts' },
  'home.greeting': 'Hi, {username}!',
  'errors.notFound.title': 'Page not found',
}
const es = {
  'app.name': 'Microblog',
  'posts.count': { one: '{count} publicación', other: '{count} publicaciones' },
  'home.greeting': '¡Hola, {username}!',
  'errors.notFound.title': 'Página no encontrada',
}
const sources = {
  'src/views/a.tsx': "<h1>{t('app.name')}</h1><p>{t('posts.count', { count })}</p><p>{t(\"home.greeting\")}</p>",
  // A key kept in a lookup table rather than written inside t() still counts as used.
  'src/views/errors.tsx': "const TITLES = { 404: 'errors.notFound.title' } as const",
}

describe('checkCatalogs (the core of npm run i18n:check)', () => {
  it('passes complete, used catalogs', () => {
    expect(checkCatalogs({ catalogs: { en, es }, sources })).toEqual([])
  })

  it('fails on a catalog with a missing key', () => {
    const { ['home.greeting']: _dropped, ...incomplete } = es
    const problems = checkCatalogs({ catalogs: { en, es: incomplete }, sources })
    expect(problems).toEqual([{ kind: 'missing', catalog: 'es', key: 'home.greeting' }])
    expect(formatProblem(problems[0]!)).toBe('es: missing key "home.greeting"')
  })

  it('fails on an extra key', () => {
    const problems = checkCatalogs({ catalogs: { en, es: { ...es, 'old.key': 'Vieja' } }, sources })
    expect(problems).toEqual([{ kind: 'extra', catalog: 'es', key: 'old.key' }])
  })

  it('fails on a key that src/ never uses', () => {
    const problems = checkCatalogs({
      catalogs: { en: { ...en, 'nobody.uses': 'x' }, es: { ...es, 'nobody.uses': 'x' } },
      sources,
    })
    expect(problems).toEqual([{ kind: 'unused', catalog: 'en', key: 'nobody.uses' }])
  })

  it('does not count a key that only appears inside a longer key', () => {
    const problems = checkCatalogs({
      catalogs: { en: { 'errors.notFound': 'x', ...en }, es: { 'errors.notFound': 'x', ...es } },
      sources,
    })
    expect(problems).toEqual([{ kind: 'unused', catalog: 'en', key: 'errors.notFound' }])
  })

  it('fails on different {params} and on the wrong shape', () => {
    const problems = checkCatalogs({
      catalogs: {
        en,
        es: { ...es, 'home.greeting': '¡Hola, {name}!', 'posts.count': '{count} publicaciones' },
      },
      sources,
    })
    expect(problems.map((p) => [p.kind, 'key' in p ? p.key : ''])).toEqual([
      ['invalid', 'posts.count'],
      ['params', 'home.greeting'],
    ])
  })

  it('fails on malformed plural objects', () => {
    const problems = checkCatalogs({
      catalogs: { en, es: { ...es, 'posts.count': { one: '{count} publicación', lots: '{count}' } } },
      sources,
    })
    expect(problems).toHaveLength(1)
    expect(problems[0]).toMatchObject({ kind: 'invalid', key: 'posts.count' })
  })
})

describe('findLiteralText (views use t(), not English sentences)', () => {
  it('finds nothing in the real views', () => {
    expect(Object.keys(views).length).toBeGreaterThan(5)
    const problems = Object.entries(views).flatMap(([file, text]) => findLiteralText(file, text))
    expect(problems.map(formatProblem)).toEqual([])
  })

  it('catches a literal planted in a real view', () => {
    const [file, text] = Object.entries(views).find(([name]) => name.endsWith('views/layout.tsx'))!
    const planted = text.replace("<p>{t('footer.about')}</p>", '<p>Short posts from people you follow.</p>')
    expect(planted).not.toBe(text)
    expect(findLiteralText(file, planted)).toMatchObject([
      { kind: 'literal', text: 'Short posts from people you follow.' },
    ])
  })

  it('catches text and text attributes in html templates, not interpolations or attribute pieces', () => {
    const source = [
      'export function View(props: { t: Translate }) {',
      '  const lang = props.t ? html` lang="en" data-x="Some words"` : \'\'',
      '  const alt = html` alt="A cat"`',
      '  const inner = html`<em>Nested words</em>`',
      '  return html`<section${lang}><h1>Welcome back</h1><p class="x">${props.t(\'ok.key\')} · ${inner}</p>',
      '    <input placeholder="Say something" value="${props.t(\'a.b\')}"/><button title="${props.t(\'c.d\')}">×</button>',
      "    <p>${props.t('e.f')} and more</p></section>`",
      '}',
    ].join('\n')
    expect(findLiteralText('src/features/x/views.tsx', source)).toEqual(
      [
        [3, 'alt="A cat"'],
        [4, 'Nested words'],
        [6, 'placeholder="Say something"'],
        [5, 'Welcome back'],
        [7, 'and more'],
      ].map(([line, text]) => ({ kind: 'literal', file: 'src/features/x/views.tsx', line, text })),
    )
  })

  it('catches JSX text, text attributes and component text props', () => {
    const source = `
      export function View(props: { t: Translate }) {
        return (
          <section>
            <h1>Welcome back</h1>
            <p class="x">
              {props.t('ok.key')} and more
            </p>
            <button aria-label="Close dialog">×</button>
            <input placeholder='Say something' />
            <img alt={"A cat"} src="/cat.png" />
            {cond ? <span title={\`Last seen\`}>·</span> : null}
            <Field name="body" label="Your post" hint="Up to 140" />
          </section>
        )
      }`
    expect(findLiteralText('x.tsx', source).map((p) => (p.kind === 'literal' ? [p.line, p.text] : []))).toEqual([
      [5, 'Welcome back'],
      [7, 'and more'],
      [9, 'aria-label="Close dialog"'],
      [10, 'placeholder="Say something"'],
      [11, 'alt="A cat"'],
      [12, 'title="Last seen"'],
      [13, 'label="Your post"'],
      [13, 'hint="Up to 140"'],
    ])
  })

  it('leaves code, translated text and punctuation alone', () => {
    const source = `
      import type { Child } from 'hono/jsx'
      // A comment with <b>tags</b> in it.
      const re = /<[a-z]+>'/g
      const ok = a < b && c > d
      function f(): Promise<Array<string>> { return x as Record<string, number> }
      const g = <T,>(x: T) => x
      export const View = (props: { t: Translate; items: string[] }) => (
        <ul aria-label={props.t('list.label')}>
          {/* not text */}
          {props.items.map((item) => (
            <li title={item}>
              {item} · {props.t("it's.fine")}
            </li>
          ))}
          <li>{'{'}–{'}'}</li>
          <img alt="" src="/a.png" />
          <span aria-hidden="true"> · </span>
        </ul>
      )`
    expect(findLiteralText('y.tsx', source)).toEqual([])
  })
})
