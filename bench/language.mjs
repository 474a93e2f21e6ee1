// `npm run bench:language`: the pure-JS language detectors on npm against the labelled
// short-post set (test/fixtures/language-posts.json), each as published (its own best guess,
// every language it knows), plus the app's detector (src/lib/language-detect.ts: eld
// extra-small with the "unsure → unknown" rules). Prints the README's Markdown table:
// right / wrong per language (the rest is "unknown"), overall accuracy, and the time taken.
// The candidates are exact-pinned devDependencies, so the figures can be reproduced.
import { readFileSync } from 'node:fs'
import { performance } from 'node:perf_hooks'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { franc } from 'franc-min'
import { eld as eldExtraSmall } from 'eld/extrasmall'
import { eld as eldSmall } from 'eld/small'
import { eld as eldLarge } from 'eld/large'
import { detect as tinyld } from 'tinyld'
import { detect as tinyldHeavy } from 'tinyld/heavy'
import lande from 'lande'
import { detectPostLanguage } from '../src/lib/language-detect.ts'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const { posts } = JSON.parse(readFileSync(join(root, 'test/fixtures/language-posts.json'), 'utf8'))
const version = (name) => JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')).version

const ISO3 = { eng: 'en', spa: 'es', fra: 'fr', deu: 'de', por: 'pt', ita: 'it', und: null }
const iso1 = (code) => (code in ISO3 ? ISO3[code] : (code ?? null))

const detectors = [
  [`franc-min ${version('franc-min')}`, (text) => iso1(franc(text, { minLength: 1 }))],
  [`tinyld ${version('tinyld')} (normal)`, (text) => tinyld(text) || null],
  [`tinyld ${version('tinyld')} (heavy)`, (text) => tinyldHeavy(text) || null],
  [`lande ${version('lande')}`, (text) => iso1(lande(text)[0]?.[0])],
  [`eld ${version('eld')} (extrasmall)`, (text) => eldExtraSmall.detect(text).language || null],
  [`eld ${version('eld')} (small)`, (text) => eldSmall.detect(text).language || null],
  [`eld ${version('eld')} (large)`, (text) => eldLarge.detect(text).language || null],
  ['**the app**: eld extrasmall + unsure → unknown', detectPostLanguage],
]

const langs = Object.keys(posts)
const total = langs.reduce((sum, lang) => sum + posts[lang].length, 0)
console.log(`Test set: ${total} posts (${langs.map((l) => `${l} ${posts[l].length}`).join(', ')}).\n`)
console.log(`| detector | ${langs.join(' | ')} | right | wrong | ms |`)
console.log(`|---|${langs.map(() => '---|').join('')}---|---|---|`)
for (const [name, detect] of detectors) {
  let right = 0
  let wrong = 0
  const cells = []
  const start = performance.now()
  for (const lang of langs) {
    let r = 0
    let w = 0
    for (const text of posts[lang]) {
      const got = await detect(text)
      if (got === lang) r += 1
      else if (got) w += 1
    }
    right += r
    wrong += w
    cells.push(`${pct(r, posts[lang].length)} / ${pct(w, posts[lang].length)}`)
  }
  const ms = Math.round(performance.now() - start)
  console.log(`| ${name} | ${cells.join(' | ')} | ${pct(right, total)} | ${pct(wrong, total)} | ${ms} |`)
}
console.log('\nEach language cell: right / wrong (the rest: unknown, i.e. no Translate link).')

function pct(n, of) {
  return `${((100 * n) / of).toFixed(1)}%`
}
