// The bench's write rows: `post` (an author with 20 followers), `follow` and `unfollow`
// (many members, each under the follow rate limit), as htmx form POSTs from the site's pages.
import { createSessions, formHeaders } from './server.mjs'

const FOLLOWERS = 20
const MEMBERS = 200
/** Follows per member: follow + unfollow stay under FOLLOW_LIMIT (60 per 10 minutes). */
const TARGETS_EACH = 25

const PHRASES = [
  'Coffee on the balcony before the rain, then a long walk to the river',
  'Finally fixed the slow query: one index range instead of a scan',
  'Reading a good book about old trains on a quiet Sunday morning',
  'The garden needs water again, the tomatoes are almost ready',
]

/** The post, follow and unfollow rows; `excludeIds` (the bench user) is never picked. */
export async function writeRows({ base, db, data, excludeIds }) {
  const excluded = excludeIds.join(',')
  const author = await db
    .prepare(
      `SELECT id, username, follower_count AS followers FROM users WHERE id NOT IN (${excluded})
       ORDER BY abs(follower_count - ?), id LIMIT 1`,
    )
    .bind(FOLLOWERS)
    .first()
  const members = (
    await db
      .prepare(`SELECT id FROM users WHERE id NOT IN (${excluded}, ?) ORDER BY id LIMIT ?`)
      .bind(author.id, MEMBERS)
      .all()
  ).results.map((r) => r.id)
  const cookies = await createSessions(db, [author.id, ...members])
  const followed = new Set(
    (
      await db
        .prepare(`SELECT follower_id AS a, followed_id AS b FROM follows WHERE follower_id IN (${members.join(',')})`)
        .all()
    ).results.map((r) => `${r.a}:${r.b}`),
  )
  // Member-major round robin: consecutive requests come from different members.
  const usernames = new Map(data.users.map((u) => [u.id, u.username]))
  const ids = data.users.map((u) => u.id).filter((id) => id !== author.id)
  const perMember = members.map((member, m) => {
    const targets = []
    for (let k = 0; targets.length < TARGETS_EACH && k < ids.length; k++) {
      const target = ids[(m * 37 + k * 13) % ids.length]
      if (target !== member && !followed.has(`${member}:${target}`) && !targets.includes(target)) targets.push(target)
    }
    return targets
  })
  const pairs = []
  for (let k = 0; k < TARGETS_EACH; k++) {
    members.forEach((member, m) => {
      if (perMember[m][k] !== undefined) pairs.push([member, perMember[m][k]])
    })
  }
  const edgeRequest = (action, [member, target]) => ({
    method: 'POST',
    path: `/${action}/${usernames.get(target)}`,
    headers: formHeaders(base, cookies.get(member)),
    body: '',
  })

  let posted = 0
  const postRequest = () => {
    posted += 1
    const text = `${PHRASES[posted % PHRASES.length]} (${posted}).`
    return {
      method: 'POST',
      path: '/',
      headers: formHeaders(base, cookies.get(author.id)),
      body: `body=${encodeURIComponent(text)}`,
    }
  }

  // The first pair is the untimed sample of both rows (followed, then unfollowed).
  const sample = pairs.shift()
  let followNext = 0
  const followSent = () => followNext
  let unfollowNext = 0
  const takePair = (counter) => {
    if (counter >= pairs.length) throw new Error('bench: out of follow pairs (raise MEMBERS)')
    return pairs[counter]
  }
  // Unfollow exactly what the follow row followed: 10% warm-up, 30% one connection, the rest loaded.
  const share = (fraction) => () => Math.max(1, Math.floor(followSent() * fraction))
  return [
    {
      name: `post (author with ${author.followers} followers)`,
      describe: 'POST / (htmx)',
      write: true,
      sample: postRequest,
      next: postRequest,
    },
    {
      name: 'follow',
      describe: 'POST /follow/:username (htmx)',
      write: true,
      sample: () => edgeRequest('follow', sample),
      next: () => edgeRequest('follow', takePair(followNext++)),
    },
    {
      name: 'unfollow',
      describe: 'POST /unfollow/:username (htmx)',
      write: true,
      sample: () => edgeRequest('unfollow', sample),
      next: () => edgeRequest('unfollow', takePair(unfollowNext++ % Math.max(1, followSent()))),
      plan: {
        warmup: share(0.1),
        one: share(0.3),
        many: () => Math.max(1, followSent() - share(0.1)() - share(0.3)()),
      },
    },
  ]
}
