import { describe, expect, it } from 'vitest'
import { Client, makeUser, postBodies } from '../helpers'

describe('home timeline (the tutorial reference case)', () => {
  it('shows followed users and own posts, newest first, no duplicates', async () => {
    const names = ['john', 'susan', 'mary', 'david']
    const clients: Record<string, Client> = {}
    for (const name of names) {
      await makeUser(name)
      clients[name] = new Client()
      await clients[name].login(name)
    }
    // Posts in this order: john, david, mary, susan.
    for (const name of ['john', 'david', 'mary', 'susan']) {
      const response = await clients[name]!.post('/', { body: `post from ${name}` })
      expect(response.status).toBe(303)
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
    for (const [a, b] of [
      ['john', 'susan'],
      ['john', 'david'],
      ['susan', 'mary'],
      ['mary', 'david'],
    ] as const) {
      expect((await clients[a]!.post(`/follow/${b}`)).status).toBe(303)
    }
    const expected: Record<string, string[]> = {
      john: ['susan', 'david', 'john'],
      susan: ['susan', 'mary'],
      mary: ['mary', 'david'],
      david: ['david'],
    }
    for (const name of names) {
      const html = await (await clients[name]!.get('/')).text()
      expect(postBodies(html)).toEqual(expected[name]!.map((n) => `post from ${n}`))
    }
  })
})
