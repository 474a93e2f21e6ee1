import { describe, expect, it } from 'vitest'
import { createApp } from '../../src/app'
import { apiApp } from '../../src/features/api/app'
import { allowedMethods, methodNotAllowed } from '../../src/middleware/method-not-allowed'
import { ApiClient } from '../api/contract'
import { Client, loggedIn, makeUser } from '../helpers'

describe('wrong method on an existing path', () => {
  it('answers 405 with Allow, in the site layout, instead of 404', async () => {
    const other = await makeUser()
    const { client } = await loggedIn()
    const cases: Array<[string, string, string]> = [
      ['PUT', '/', 'GET, HEAD, POST'],
      ['DELETE', '/settings/profile', 'GET, HEAD, POST'],
      ['GET', `/follow/${other.username}`, 'POST'],
      ['PATCH', '/auth/reset-password/abcdefabcdefabcdefabcdefabcdefab', 'GET, HEAD, POST'],
      ['PUT', '/explore', 'GET, HEAD'],
    ]
    for (const [method, path, allow] of cases) {
      const response = await client.fetch(path, { method })
      expect(response.status, `${method} ${path}`).toBe(405)
      expect(response.headers.get('allow'), `${method} ${path}`).toBe(allow)
      const html = await response.text()
      expect(html).toContain('Method not allowed')
      expect(html).toContain('<nav')
    }
  })

  it('gives htmx a one-line fragment, and keeps 404 for paths that do not exist', async () => {
    const other = await makeUser()
    const response = await new Client().get(`/unfollow/${other.username}`, { htmx: true })
    expect(response.status).toBe(405)
    expect(response.headers.get('allow')).toBe('POST')
    expect(await response.text()).not.toContain('<html')
    const missing = await new Client().fetch('/no/such/page', { method: 'DELETE' })
    expect(missing.status).toBe(404)
    expect(missing.headers.get('allow')).toBeNull()
    expect((await new Client().get('/no/such/page')).status).toBe(404)
    // A route of the right method that answers "not found" itself stays 404.
    const unknownUser = await new Client().get('/user/nobody_at_all_here')
    expect(unknownUser.status).toBe(404)
    expect(unknownUser.headers.get('allow')).toBeNull()
  })

  it('derives the methods from the registered routes, ignoring middleware', () => {
    const app = createApp()
    expect(allowedMethods(app, '/auth/login')).toEqual(['GET', 'HEAD', 'POST'])
    expect(allowedMethods(app, '/auth/logout')).toEqual(['GET', 'HEAD', 'POST'])
    expect(allowedMethods(app, '/nothing-here')).toEqual([])
  })

  it('is one decision for the site and the API: the API adds only OPTIONS (its CORS preflight)', async () => {
    const app = createApp()
    expect(methodNotAllowed(app, 'PUT', '/explore')).toEqual(['GET', 'HEAD'])
    expect(methodNotAllowed(app, 'GET', '/explore')).toBeNull()
    expect(methodNotAllowed(app, 'GET', '/no/such/page')).toBeNull()
    expect(methodNotAllowed(apiApp, 'PATCH', '/api/posts/1', ['OPTIONS'])).toEqual(['GET', 'DELETE', 'HEAD', 'OPTIONS'])
    expect(methodNotAllowed(apiApp, 'DELETE', '/api/posts/1', ['OPTIONS'])).toBeNull()
    // Every route counts, not only documented operations: the document and its reference page.
    const api = new ApiClient()
    for (const path of ['/api/openapi.json', '/api/docs']) {
      const response = await api.api('PUT', path)
      expect(response.status, path).toBe(405)
      expect(response.headers.get('allow'), path).toBe('GET, HEAD, OPTIONS')
    }
    const follow = await api.api('PATCH', '/api/users/1/follow')
    expect(follow.status).toBe(405)
    expect(follow.headers.get('allow')).toBe('DELETE, OPTIONS, POST')
  })
})
