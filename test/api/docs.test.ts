import { describe, expect, it } from 'vitest'
import { ApiClient, openApiDocument } from './contract'

describe('GET /api/openapi.json', () => {
  it('serves the OpenAPI 3.1 document of every route, generated from the zod schemas', async () => {
    const response = await new ApiClient().fetch('/api/openapi.json')
    expect(response.status).toBe(200)
    expect(response.headers.get('access-control-allow-origin')).toBe('*')
    const doc = await openApiDocument()
    expect(doc.openapi).toBe('3.1.0')
    const operations = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
    )
    expect(operations.sort()).toEqual(
      [
        'POST /api/tokens',
        'DELETE /api/tokens',
        'GET /api/users',
        'POST /api/users',
        'GET /api/users/{id}',
        'PUT /api/users/{id}',
        'GET /api/users/by-username/{username}',
        'GET /api/users/{id}/followers',
        'GET /api/users/{id}/following',
        'POST /api/users/{id}/follow',
        'DELETE /api/users/{id}/follow',
        'POST /api/posts',
        'GET /api/posts/{id}',
        'DELETE /api/posts/{id}',
        'GET /api/users/{id}/posts',
        'GET /api/timeline',
        'GET /api/explore',
        'GET /api/messages',
        'GET /api/messages/{username}',
        'POST /api/messages/{username}',
        'DELETE /api/messages/{username}/{id}',
        'GET /api/search',
      ].sort(),
    )
    // The path id is required (z.coerce.number() would have made it optional and nullable).
    const params = (
      doc.paths['/api/users/{id}']!.get as unknown as { parameters: { name: string; required: boolean }[] }
    ).parameters
    expect(params.find((p) => p.name === 'id')?.required).toBe(true)
    // Request validation and the document share one schema: the form's username rule.
    expect(JSON.stringify(doc.components.schemas.NewUser)).toContain('^[A-Za-z0-9_]{3,32}$')
    // Search: q is required, and the answer is its own strict schema.
    const search = doc.paths['/api/search']!.get as unknown as { parameters: { name: string; required?: boolean }[] }
    expect(search.parameters.find((p) => p.name === 'q')?.required).toBe(true)
    expect(doc.components.schemas.SearchResults).toMatchObject({ additionalProperties: false })
  })
})

describe('GET /api/docs', () => {
  it('is a page whose scripts and styles all come from our own origin, under the CSP', async () => {
    const response = await new ApiClient().fetch('/api/docs')
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toMatch(/^text\/html/)
    const csp = response.headers.get('content-security-policy') ?? ''
    expect(csp).toContain("script-src 'self'")
    expect(csp).toContain("style-src 'self'")
    const html = await response.text()
    const urls = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!)
    expect(urls).toContain('/vendor/swagger-ui/swagger-ui-bundle.js')
    expect(urls).toContain('/js/api-docs.js')
    for (const url of urls) expect(url.startsWith('/')).toBe(true)
    expect(html).not.toMatch(/<script>|<style|style=/)
    expect(html).toContain('data-spec-url="/api/openapi.json"')
  })
})
