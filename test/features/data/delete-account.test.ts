import { env } from 'cloudflare:workers'
import { describe, expect, it, vi } from 'vitest'
import { followUser } from '../../../src/features/follows/queries'
import { sendMessage } from '../../../src/features/messages/actions'
import { createPost } from '../../../src/features/posts/queries'
import { Client, db, loggedIn, makeUser, PASSWORD, uniqueName } from '../../helpers'
import { waitForMail } from '../../mailbox'
import { latestJob, seedPosts, seedUsers, waitForJob } from './job-helpers'

async function count(query: string, ...params: unknown[]): Promise<number> {
  return (await env.DB.prepare(query)
    .bind(...params)
    .first<number>('n'))!
}

async function counts(userId: number) {
  return env.DB.prepare('SELECT post_count, follower_count, following_count FROM users WHERE id = ?')
    .bind(userId)
    .first<{ post_count: number; follower_count: number; following_count: number }>()
}

describe('POST /settings/delete-account', () => {
  it('asks for the password and the typed username, keeping the form', async () => {
    const { user, client } = await loggedIn()
    const wrong = await client.post('/settings/delete-account', { password: 'not it', confirm: user.username })
    expect(wrong.status).toBe(422)
    expect(await wrong.text()).toContain('That password is not right.')
    const mistyped = await client.post('/settings/delete-account', { password: PASSWORD, confirm: 'someone' })
    expect(mistyped.status).toBe(422)
    expect(await mistyped.text()).toContain('Type your username exactly')
    const empty = await client.post('/settings/delete-account', {})
    expect(empty.status).toBe(422)
    const crossSite = await client.post(
      '/settings/delete-account',
      { password: PASSWORD, confirm: user.username },
      { origin: 'https://evil.example' },
    )
    expect(crossSite.status).toBe(403)
    // Still here.
    expect((await client.get(`/user/${user.username}`)).status).toBe(200)
    expect(await count('SELECT count(*) AS n FROM jobs WHERE user_id = ?', user.id)).toBe(0)
  })

  it('limits password attempts', async () => {
    const { user, client } = await loggedIn()
    for (let i = 0; i < 5; i++) {
      expect((await client.post('/settings/delete-account', { password: 'nope', confirm: user.username })).status).toBe(
        422,
      )
    }
    const limited = await client.post('/settings/delete-account', { password: PASSWORD, confirm: user.username })
    expect(limited.status).toBe(429)
    expect(limited.headers.get('Retry-After')).toBeTruthy()
  })

  it('deletes a member with thousands of posts and followers: logged out everywhere, 404 at once, everything gone, counts right, username reserved', async () => {
    vi.spyOn(console, 'log').mockImplementation(() => {})
    const { user, client } = await loggedIn()
    const elsewhere = new Client()
    await elsewhere.login(user.username)

    // A friend who follows the member and is followed back, with posts of their own.
    const friend = await makeUser()
    await createPost(db, friend, 'friend post', 'en')
    await followUser(db, friend.id, user.id)
    await followUser(db, user.id, friend.id)
    // 600 messages each way with the friend (more than one chunk), 3 of them unread by the friend.
    for (let i = 0; i < 3; i++) await sendMessage(db, user.id, friend.id, `unread ${i}`)
    const conversation = await env.DB.prepare('SELECT conversation_id AS id FROM messages WHERE sender_id = ? LIMIT 1')
      .bind(user.id)
      .first<number>('id')
    await env.DB.prepare(
      `INSERT INTO messages (conversation_id, sender_id, recipient_id, body, created_at)
       WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < 600)
       SELECT ?1, ?2, ?3, 'old ' || n, n FROM seq UNION ALL SELECT ?1, ?3, ?2, 'reply ' || n, n FROM seq`,
    )
      .bind(conversation, user.id, friend.id)
      .run()
    const bystander = await makeUser()
    await sendMessage(db, bystander.id, friend.id, 'unrelated')
    expect(await count('SELECT unread_message_count AS n FROM users WHERE id = ?', friend.id)).toBe(4)

    // 2,000 posts, 1,500 followers (each with the member's newest 100 posts in their
    // timeline), 300 followed members.
    await seedPosts(user.id, 2000)
    const prefix = uniqueName('f').slice(0, 12)
    const followers = await seedUsers(prefix, 1500)
    const followed = await seedUsers(`${prefix}x`, 300)
    const s = env.DB.prepare.bind(env.DB)
    await s(
      `INSERT INTO follows (follower_id, followed_id, created_at) SELECT id, ?1, id FROM users WHERE username LIKE ?2 || '%' AND username NOT LIKE ?2 || 'x%'`,
    )
      .bind(user.id, prefix)
      .run()
    await s(
      `INSERT INTO follows (follower_id, followed_id, created_at) SELECT ?1, id, id FROM users WHERE username LIKE ?2 || 'x%'`,
    )
      .bind(user.id, prefix)
      .run()
    await s(
      `INSERT INTO timeline_entries (owner_id, post_id, author_id, created_at)
       SELECT f.follower_id, p.id, p.user_id, p.created_at FROM follows f
       JOIN (SELECT id, user_id, created_at FROM posts WHERE user_id = ?1 ORDER BY created_at DESC LIMIT 100) p
       WHERE f.followed_id = ?1`,
    )
      .bind(user.id)
      .run()
    await s(
      `UPDATE users SET follower_count = (SELECT count(*) FROM follows WHERE followed_id = users.id),
         following_count = (SELECT count(*) FROM follows WHERE follower_id = users.id) WHERE id IN (?1, ?2)`,
    )
      .bind(user.id, friend.id)
      .run()
    await s(`UPDATE users SET following_count = 1 WHERE username LIKE ?1 || '%' AND username NOT LIKE ?1 || 'x%'`)
      .bind(prefix)
      .run()
    await s(`UPDATE users SET follower_count = 1 WHERE username LIKE ?1 || 'x%'`).bind(prefix).run()
    expect(await count('SELECT count(*) AS n FROM timeline_entries WHERE author_id = ?', user.id)).toBeGreaterThan(
      150_000,
    )
    await client.post('/settings/export')
    await waitForJob((await latestJob(user.id, 'export')).id, 60_000)

    const t0 = Date.now()
    const response = await client.post('/settings/delete-account', { password: PASSWORD, confirm: user.username })
    expect(response.status).toBe(303)
    expect(response.headers.get('Location')).toBe('/explore')

    // At once: the profile is gone, both sessions are dead, login fails.
    expect((await new Client().get(`/user/${user.username}`)).status).toBe(404)
    expect((await client.get('/settings/data')).status).toBe(303)
    expect((await elsewhere.get('/settings/data')).status).toBe(303)
    const login = await new Client().post('/auth/login', { login: user.username, password: PASSWORD })
    expect(login.status).toBe(422)

    const job = await waitForJob((await latestJob(user.id, 'delete-account')).id, 240_000)
    const ms = Date.now() - t0
    console.info(`delete-account: 2,000 posts, 1,501 followers, 301 following, ${ms} ms`)
    expect(job.state).toBe('done')

    expect(await count('SELECT count(*) AS n FROM users WHERE id = ?', user.id)).toBe(0)
    expect(await count('SELECT count(*) AS n FROM posts WHERE user_id = ?', user.id)).toBe(0)
    expect(
      await count('SELECT count(*) AS n FROM timeline_entries WHERE author_id = ? OR owner_id = ?', user.id, user.id),
    ).toBe(0)
    expect(await count('SELECT count(*) AS n FROM follows WHERE follower_id = ?1 OR followed_id = ?1', user.id)).toBe(0)
    expect(await count('SELECT count(*) AS n FROM sessions WHERE user_id = ?', user.id)).toBe(0)
    expect(await count('SELECT count(*) AS n FROM messages WHERE sender_id = ?1 OR recipient_id = ?1', user.id)).toBe(0)
    expect(await count('SELECT count(*) AS n FROM conversations WHERE user_a_id = ?1 OR user_b_id = ?1', user.id)).toBe(
      0,
    )
    // The friend's badge lost the 3 unread messages of the deleted member, not the bystander's.
    expect(await count('SELECT unread_message_count AS n FROM users WHERE id = ?', friend.id)).toBe(1)
    expect(await count('SELECT count(*) AS n FROM messages WHERE recipient_id = ?', friend.id)).toBe(1)
    expect(await count("SELECT count(*) AS n FROM jobs WHERE user_id = ? AND kind = 'export'", user.id)).toBe(0)
    expect((await env.EXPORTS.list({ prefix: `exports/${user.id}/` })).objects).toHaveLength(0)

    // Other members' counts are right and their own posts untouched.
    expect(await counts(friend.id)).toEqual({ post_count: 1, follower_count: 0, following_count: 0 })
    expect(await counts(followers[0]!)).toMatchObject({ following_count: 0 })
    expect(await counts(followers[1499]!)).toMatchObject({ following_count: 0 })
    expect(await counts(followed[299]!)).toMatchObject({ follower_count: 0 })
    expect(await count('SELECT count(*) AS n FROM posts WHERE user_id = ?', friend.id)).toBe(1)

    // The email follows; the username stays reserved.
    const [mail] = await waitForMail(user.email, 2).then((mails) =>
      mails.filter((m) => m.subject === 'Your Microblog account was deleted'),
    )
    expect(mail).toBeDefined()
    const again = await new Client().post('/auth/register', {
      username: user.username.toUpperCase(),
      email: `new-${user.email}`,
      password: 'a new long password 123',
      password2: 'a new long password 123',
    })
    expect(again.status).toBe(422)
    expect(await again.text()).toContain('That username is taken')
  }, 300_000)
})
