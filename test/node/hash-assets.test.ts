import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
// @ts-expect-error: a plain Node script without type declarations
import { hashAssets } from '../../scripts/hash-assets.mjs'

const run = hashAssets as (root: string) => Record<string, string>
const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

function project(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'hash-assets-'))
  dirs.push(root)
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true })
    writeFileSync(join(root, path), content)
  }
  mkdirSync(join(root, 'src/views'), { recursive: true })
  return root
}

const hash12 = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 12)

describe('scripts/hash-assets.mjs', () => {
  it('copies css and js under content-hashed names and writes the map the layout imports', () => {
    const root = project({ 'public/css/app.css': 'body{}', 'public/js/app.js': 'let a', 'public/js/notes.txt': 'x' })
    const manifest = run(root)
    expect(manifest).toEqual({
      '/css/app.css': `/assets/css/app.${hash12('body{}')}.css`,
      '/js/app.js': `/assets/js/app.${hash12('let a')}.js`,
    })
    expect(readFileSync(join(root, 'public', manifest['/css/app.css']!), 'utf8')).toBe('body{}')
    const generated = readFileSync(join(root, 'src/views/assets.generated.ts'), 'utf8')
    expect(generated).toContain(`'/js/app.js': '/assets/js/app.${hash12('let a')}.js',`)
  })

  it('gives a changed file a new name and removes the old copy', () => {
    const root = project({ 'public/css/app.css': 'body{}' })
    const before = run(root)['/css/app.css']!
    writeFileSync(join(root, 'public/css/app.css'), 'body{color:red}')
    const after = run(root)['/css/app.css']!
    expect(after).not.toBe(before)
    expect(existsSync(join(root, 'public', after))).toBe(true)
    expect(existsSync(join(root, 'public', before))).toBe(false)
  })
})

describe('public/_headers', () => {
  it('marks the hashed folder immutable for a year, and nothing else', () => {
    const rules = readFileSync(join(__dirname, '../../public/_headers'), 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '' && !line.startsWith('#'))
    expect(rules).toEqual(['/assets/*', '  Cache-Control: public, max-age=31536000, immutable'])
  })
})
