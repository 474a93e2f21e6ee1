import type { Context } from 'hono'
import type { Child } from 'hono/jsx'
import { RequestContext } from 'hono/jsx-renderer'

/**
 * Renders a view as a page does: inside hono's request context, for a member (`userId`) or a
 * visitor, so `SessionGuardField` behaves as it does on a page.
 */
export function render(node: Child, userId?: number): string {
  const c = {
    get: (key: string) => (key === 'user' && userId !== undefined ? { id: userId } : null),
  } as unknown as Context
  return String(<RequestContext.Provider value={c}>{node}</RequestContext.Provider>)
}

/** Renders a fragment with no request context, as htmx answers and the live channel's pushes are. */
export function renderFragment(node: Child): string {
  return String(node)
}

export type Tag = { name: string; attrs: Record<string, string>; at: number }

const START_TAG = /<([a-zA-Z][\w-]*)((?:\s+[^\s"'>/=]+(?:="[^"]*")?)*)\s*\/?>/g
const ATTRIBUTE = /\s+([^\s"'>/=]+)(?:="([^"]*)")?/g
const ENTITIES: Record<string, string> = { '&quot;': '"', '&amp;': '&', '&lt;': '<', '&gt;': '>', '&#39;': "'" }

/** An attribute's value as a browser reads it (hono escapes `"&<>'`). */
function decode(value: string): string {
  return value.replace(/&(?:quot|amp|lt|gt|#39);/g, (entity) => ENTITIES[entity]!)
}

/**
 * The start tags of `html` (name, decoded attributes, offset), optionally only those of one
 * element name and whose attributes include `where` (a value of `true` matches any value).
 * Our markup always quotes attribute values, which is what makes a regular expression enough.
 */
export function tags(html: string, name?: string, where: Record<string, string | true> = {}): Tag[] {
  const found: Tag[] = []
  for (const match of html.matchAll(START_TAG)) {
    if (name && match[1] !== name) continue
    const attrs: Record<string, string> = {}
    for (const attr of match[2]!.matchAll(ATTRIBUTE)) attrs[attr[1]!] = decode(attr[2] ?? '')
    const ok = Object.entries(where).every(([key, value]) => (value === true ? key in attrs : attrs[key] === value))
    if (ok) found.push({ name: match[1]!, attrs, at: match.index })
  }
  return found
}

/** The one start tag that matches (fails when there is none or more than one). */
export function tag(html: string, name: string, where: Record<string, string | true> = {}): Tag {
  const found = tags(html, name, where)
  if (found.length !== 1) {
    throw new Error(`expected one <${name}> with ${JSON.stringify(where)}, found ${found.length}`)
  }
  return found[0]!
}

const VOID = new Set([
  'area',
  'base',
  'br',
  'col',
  'embed',
  'hr',
  'img',
  'input',
  'link',
  'meta',
  'source',
  'track',
  'wbr',
])

/** The outer HTML of the element whose start tag is `start`, nested elements of the same name included. */
function outerHtml(html: string, start: Tag): string {
  const open = html.indexOf('>', start.at) + 1
  if (VOID.has(start.name) || html[open - 2] === '/') return html.slice(start.at, open)
  const pattern = new RegExp(`<(/?)${start.name}(?=[\\s>/])`, 'g')
  pattern.lastIndex = open
  let depth = 1
  for (const match of html.matchAll(pattern)) {
    if (match.index < open) continue
    depth += match[1] ? -1 : 1
    if (depth === 0) return html.slice(start.at, html.indexOf('>', match.index) + 1)
  }
  throw new Error(`<${start.name}> at ${start.at} is not closed`)
}

/** The outer HTML of the one element that matches. */
export function element(html: string, name: string, where: Record<string, string | true> = {}): string {
  return outerHtml(html, tag(html, name, where))
}

/** The outer HTML of every element that matches, in order. */
export function elements(html: string, name: string, where: Record<string, string | true> = {}): string[] {
  return tags(html, name, where).map((start) => outerHtml(html, start))
}

/** The text of some markup, tags removed and entities decoded (white space kept). */
export function text(html: string): string {
  return decode(html.replace(/<[^>]*>/g, ''))
}

/** Text with hono's escaping, to look for user text as it must appear in the markup. */
export function escaped(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;')
}
