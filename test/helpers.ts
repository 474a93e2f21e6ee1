import { env, exports } from 'cloudflare:workers'
import { createDb } from '../src/db/client'
import { hashPassword } from '../src/lib/password'
import { createUser } from '../src/features/users/queries'

export const ORIGIN = 'http://localhost'
export const db = createDb(env.DB)

let counter = 0
/** A username no other test in this file uses. */
export function uniqueName(prefix = 'u'): string {
  counter += 1
  return `${prefix}${Date.now().toString(36)}${counter}`.slice(0, 32)
}

export const PASSWORD = 'correct horse battery'
let passwordHash: Promise<string> | null = null
/** Hashing costs ~150 ms, so test users share one real hash of PASSWORD. */
function sharedHash() {
  passwordHash ??= hashPassword(PASSWORD)
  return passwordHash
}

/** Creates a member directly in D1 (faster than registering over HTTP). */
export async function makeUser(username = uniqueName(), email = `${username.toLowerCase()}@example.com`) {
  const result = await createUser(db, { username, email, passwordHash: await sharedHash() })
  if (!result.ok) throw new Error(`could not create ${username}: ${result.taken} taken`)
  return result.user
}

type RequestOptions = {
  htmx?: boolean
  origin?: string | null
  headers?: Record<string, string>
}

/** A tiny browser: keeps cookies, sends same-origin Origin on unsafe requests. */
export class Client {
  cookies = new Map<string, string>()
  ip: string
  /** Where requests go; a test may send them to an app with other bindings. */
  transport: (request: Request) => Promise<Response> = (request) => exports.default.fetch(request)

  constructor(ip = `10.0.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`) {
    this.ip = ip
  }

  async fetch(path: string, init: RequestInit & RequestOptions = {}): Promise<Response> {
    const headers = new Headers(init.headers)
    headers.set('CF-Connecting-IP', this.ip)
    if (this.cookies.size) {
      headers.set('Cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '))
    }
    if (init.htmx) headers.set('HX-Request', 'true')
    const method = (init.method ?? 'GET').toUpperCase()
    if (method !== 'GET' && init.origin !== null) headers.set('Origin', init.origin ?? ORIGIN)
    const response = await this.transport(new Request(`${ORIGIN}${path}`, { ...init, headers, redirect: 'manual' }))
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';')
      const index = pair!.indexOf('=')
      const name = pair!.slice(0, index).trim()
      const value = pair!.slice(index + 1).trim()
      const expired = attrs.some((a) => /max-age=0/i.test(a) || /expires=Thu, 01 Jan 1970/i.test(a))
      if (expired || value === '') this.cookies.delete(name)
      else this.cookies.set(name, value)
    }
    return response
  }

  get(path: string, options: RequestOptions = {}) {
    return this.fetch(path, options)
  }

  post(path: string, form: Record<string, string> = {}, options: RequestOptions = {}) {
    return this.fetch(path, {
      ...options,
      method: 'POST',
      body: new URLSearchParams(form),
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...options.headers },
    })
  }

  async login(login: string, password = PASSWORD, extra: Record<string, string> = {}) {
    const response = await this.post('/auth/login', { login, password, ...extra })
    if (response.status !== 303) throw new Error(`login failed: ${response.status}`)
    return response
  }
}

/** A logged-in client for a fresh user. */
export async function loggedIn(username?: string) {
  const user = await makeUser(username)
  const client = new Client()
  await client.login(user.username)
  return { user, client }
}

/** The bodies of the posts on a page, in order. */
export function postBodies(html: string): string[] {
  return [...html.matchAll(/<p class="post-body"[^>]*>([\s\S]*?)<\/p>/g)].map((m) => m[1]!)
}

export { env }
