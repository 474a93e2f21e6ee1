import { describe, expect, it } from 'vitest'
import { Client, db, loggedIn, makeUser, postBodies } from '../helpers'
import { createPost } from '../../src/features/posts/queries'

/** The htmx/plain "Older posts" target of a page, as a path. */
function olderLink(html: string): string | null {
  const match = /<div class="more" data-hx-get="([^"]+)"/.exec(html)
  return match ? match[1]!.replaceAll('&amp;', '&') : null
}

/** The plain "Newer posts" link above the list, as a path. */
function newerLink(html: string): string | null {
  const match = /<p class="newer"><a href="([^"]+)"[^>]*>Newer posts<\/a>/.exec(html)
  return match ? match[1]!.replaceAll('&amp;', '&') : null
}

/**
 * 60 posts by `author`, newer than anything else in the database (so they fill the first
 * pages of explore too), two per millisecond so the id breaks ties.
 */
async function sixtyPosts(author: { id: number; username: string; email: string }) {
  const start = Date.now() + 10 * 365 * 24 * 3600_000
  for (let i = 0; i < 60; i++) {
    await createPost(db, author, `paging ${author.username} ${i}`, 'en', start + Math.floor(i / 2))
  }
}

/** Walks page 1 → 2 (before) → Newer → back, checking both directions agree. */
async function checkBothWays(client: Client, base: string) {
  const page1 = await (await client.get(base)).text()
  const bodies1 = postBodies(page1)
  expect(bodies1).toHaveLength(25)
  expect(newerLink(page1)).toBeNull()

  const toPage2 = olderLink(page1)!
  expect(toPage2).toContain('before=')
  const page2 = await (await client.get(toPage2)).text()
  const bodies2 = postBodies(page2)
  expect(bodies2).toHaveLength(25)
  expect(bodies2[0]).not.toBe(bodies1[0])
  const toNewer = newerLink(page2)
  expect(toNewer).toContain('after=')

  // Newer from page 2 is exactly page 1, in the same order, and is the first page again.
  const newer = await client.get(toNewer!)
  expect(newer.status).toBe(200)
  const newerHtml = await newer.text()
  expect(postBodies(newerHtml)).toEqual(bodies1)
  expect(newerLink(newerHtml)).toBeNull()
  // Older keeps working from an `after` page: it leads to page 2 again.
  const backToPage2 = olderLink(newerHtml)
  expect(backToPage2).toContain('before=')
  expect(postBodies(await (await client.get(backToPage2!)).text())).toEqual(bodies2)

  // From page 3, Newer gives page 2, which itself offers Newer (26 rows came back).
  const page3 = await (await client.get(olderLink(page2)!)).text()
  const newerThan3 = await (await client.get(newerLink(page3)!)).text()
  expect(postBodies(newerThan3)).toEqual(bodies2)
  expect(newerLink(newerThan3)).toContain('after=')
  return { bodies1, bodies2 }
}

describe('Newer posts paging (?after=)', () => {
  it('explore: page 2 links to newer posts that are exactly page 1', async () => {
    const author = await makeUser()
    await sixtyPosts(author)
    const { bodies1 } = await checkBothWays(new Client(), '/explore')
    expect(bodies1[0]).toBe(`paging ${author.username} 59`)
  })

  it("a profile's posts page both ways", async () => {
    const author = await makeUser()
    await sixtyPosts(author)
    const { bodies1 } = await checkBothWays(new Client(), `/user/${author.username}`)
    expect(bodies1[0]).toBe(`paging ${author.username} 59`)
    expect(bodies1[24]).toBe(`paging ${author.username} 35`)
  })

  it('the home timeline pages both ways', async () => {
    const { user, client } = await loggedIn()
    await sixtyPosts(user)
    const { bodies1 } = await checkBothWays(client, '/')
    expect(bodies1[0]).toBe(`paging ${user.username} 59`)
  })

  it('answers 400 for a malformed after cursor', async () => {
    const { client } = await loggedIn()
    for (const path of ['/explore?after=nope', '/?after=1-', `/user/${(await makeUser()).username}?after=x-1`]) {
      const response = await client.get(path)
      expect(response.status, path).toBe(400)
      expect(await response.text()).toContain('That page link is not valid.')
    }
  })
})
