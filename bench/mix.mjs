// The request mix of `npm run stress` (and of `npm run bench:memory`'s scenarios): page reads
// by members and by visitors, posts, and follow/unfollow among a set of members.
import { createSessions, formHeaders } from './server.mjs'

/** Follow + unfollow per member stay under the follow rate limit (60 per 10 minutes). */
const EDGE_OPS_EACH = 50

const pick = (list) => list[Math.floor(Math.random() * list.length)]

/**
 * Logs `members` members in (session rows) and returns `next()`, the next request of the
 * mix, and `counts`. `weights` are the shares of member reads, visitor reads, posts and
 * follow/unfollow (summing to 1); `paths` overrides the read paths (e.g. ['/healthz']).
 */
export async function createMix({ base, db, data, members, weights, paths }) {
  const memberIds = data.users.slice(1, 1 + members).map((u) => u.id)
  const username = new Map(data.users.map((u) => [u.id, u.username]))
  const cookies = await createSessions(db, memberIds)
  const following = new Set(
    (
      await db
        .prepare(`SELECT follower_id AS a, followed_id AS b FROM follows WHERE follower_id IN (${memberIds.join(',')})`)
        .all()
    ).results.map((r) => `${r.a}:${r.b}`),
  )
  const edgeOps = new Map(memberIds.map((id) => [id, 0]))
  const maxPostId = data.posts.length
  const counts = { memberRead: 0, visitorRead: 0, post: 0, follow: 0, unfollow: 0 }
  const { memberRead, visitorRead, post } = weights

  const readPath = (member) =>
    paths
      ? pick(paths)
      : pick([
          ...(member ? ['/', '/'] : ['/auth/login']),
          '/explore',
          `/user/${username.get(pick(memberIds))}`,
          `/post/${1 + Math.floor(Math.random() * maxPostId)}`,
        ])
  const memberGet = (member) => ({ method: 'GET', path: readPath(true), headers: { cookie: cookies.get(member) } })
  let edgeTurn = 0

  function next() {
    const r = Math.random()
    if (r < memberRead) {
      counts.memberRead++
      return memberGet(pick(memberIds))
    }
    if (r < memberRead + visitorRead) {
      counts.visitorRead++
      return { method: 'GET', path: readPath(false), headers: {} }
    }
    if (r < memberRead + visitorRead + post) {
      counts.post++
      const author = pick(memberIds)
      const text = `Stress post by ${username.get(author)} at ${Date.now()}: coffee, trains and a walk in the park.`
      return {
        method: 'POST',
        path: '/',
        headers: formHeaders(base, cookies.get(author)),
        body: `body=${encodeURIComponent(text)}`,
      }
    }
    // Follow/unfollow, members in turn so no one reaches the rate limit.
    const member = memberIds[edgeTurn++ % memberIds.length]
    if (edgeOps.get(member) >= EDGE_OPS_EACH) {
      counts.memberRead++
      return memberGet(member)
    }
    edgeOps.set(member, edgeOps.get(member) + 1)
    let target = pick(memberIds)
    if (target === member) target = memberIds[(memberIds.indexOf(member) + 1) % memberIds.length]
    const key = `${member}:${target}`
    const action = following.has(key) ? 'unfollow' : 'follow'
    if (action === 'follow') following.add(key)
    else following.delete(key)
    counts[action]++
    return {
      method: 'POST',
      path: `/${action}/${username.get(target)}`,
      headers: formHeaders(base, cookies.get(member)),
      body: '',
    }
  }
  return { next, counts }
}

/** autocannon options that send `next()`'s requests. */
export function mixRequests(next) {
  return [{ setupRequest: (req) => ({ ...req, body: undefined, ...next() }) }]
}
