import { Validator } from '@cfworker/json-schema'
import { exports } from 'cloudflare:workers'
import { Client, ORIGIN } from '../helpers'

/**
 * Checks an API answer against /api/openapi.json: the operation must document the status,
 * and a JSON body must validate against that status's schema (response objects are
 * `additionalProperties: false`, so an undocumented field fails too). Paths the document
 * does not know must answer the documented Error shape with 404 or 405.
 */
type Schema = Record<string, unknown>
type Doc = {
  openapi: string
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: Schema }> }> }>>
  components: { schemas: Record<string, Schema> }
}

let docPromise: Promise<Doc> | null = null
export function openApiDocument(): Promise<Doc> {
  docPromise ??= exports.default
    .fetch(new Request(`${ORIGIN}/api/openapi.json`, { headers: { 'CF-Connecting-IP': '10.255.255.1' } }))
    .then((r) => r.json() as Promise<Doc>)
  return docPromise
}

function validate(doc: Doc, schema: Schema, body: unknown, where: string) {
  const validator = new Validator({ ...schema, components: doc.components } as never, '2020-12', false)
  const result = validator.validate(body)
  if (!result.valid) {
    const errors = result.errors.map((e) => `${e.instanceLocation}: ${e.error}`).join('\n  ')
    throw new Error(`${where}: body does not match the document:\n  ${errors}\n  body: ${JSON.stringify(body)}`)
  }
}

export async function checkResponse(method: string, path: string, response: Response): Promise<void> {
  const doc = await openApiDocument()
  const pathname = new URL(path, ORIGIN).pathname
  const lower = method.toLowerCase()
  if (lower === 'options' || pathname === '/api/docs' || pathname === '/api/openapi.json') return
  const text = await response.clone().text()
  let template: string | undefined
  for (const candidate of Object.keys(doc.paths)) {
    const pattern = new RegExp(`^${candidate.replace(/\{[^}]+\}/g, '[^/]+')}$`)
    if (pattern.test(pathname) && doc.paths[candidate]![lower]) template = candidate
  }
  const where = `${method} ${pathname} → ${response.status}`
  if (!template) {
    if (response.status !== 404 && response.status !== 405) throw new Error(`${where}: not in the document`)
    validate(doc, { $ref: '#/components/schemas/Error' }, JSON.parse(text), where)
    return
  }
  const documented = doc.paths[template]![lower]!.responses[String(response.status)]
  if (!documented) throw new Error(`${where}: status not documented for ${method} ${template}`)
  const schema = documented.content?.['application/json']?.schema
  if (!schema) {
    if (text !== '') throw new Error(`${where}: documented without a body, but got ${text}`)
    return
  }
  if (!/^application\/json\b/.test(response.headers.get('content-type') ?? '')) {
    throw new Error(`${where}: not JSON (${response.headers.get('content-type')})`)
  }
  validate(doc, schema, JSON.parse(text), where)
}

type ApiInit = {
  token?: string
  json?: unknown
  body?: BodyInit
  headers?: Record<string, string>
  basic?: [string, string]
}

/** An API client: bearer or Basic auth, JSON bodies, and every answer checked against the document. */
export class ApiClient extends Client {
  async api(method: string, path: string, init: ApiInit = {}): Promise<Response> {
    const headers: Record<string, string> = { ...init.headers }
    if (init.token) headers.Authorization = `Bearer ${init.token}`
    if (init.basic) headers.Authorization = `Basic ${btoa(`${init.basic[0]}:${init.basic[1]}`)}`
    let body = init.body
    if (init.json !== undefined) {
      body = JSON.stringify(init.json)
      headers['Content-Type'] ??= 'application/json'
    }
    const response = await this.fetch(path, { method, headers, body, origin: null })
    await checkResponse(method, path, response)
    return response
  }

  /** A fresh token for `login` (PASSWORD by default). */
  async token(login: string, password: string, remember = false): Promise<string> {
    const response = await this.api('POST', '/api/tokens', { basic: [login, password], json: { remember } })
    if (response.status !== 201) throw new Error(`token failed: ${response.status} ${await response.text()}`)
    return ((await response.json()) as { token: string }).token
  }
}
