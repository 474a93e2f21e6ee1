import { env } from 'cloudflare:workers'
import { describe, expect, it, vi } from 'vitest'
import { runJobSlice } from '../../../src/features/data/jobs/runner'
import { followUser } from '../../../src/features/follows/queries'
import { sendMessage } from '../../../src/features/messages/actions'
import { db, makeUser } from '../../helpers'
import { seedPosts } from './job-helpers'

async function count(query: string, ...params: unknown[]): Promise<number> {
  return (await env.DB.prepare(query)
    .bind(...params)
    .first<number>('n'))!
}

describe('the order of a deletion', () => {
  it('removes messages (others’ badges) and posts before the follows, whose removal can take long', async () => {
    const member = await makeUser()
    const friend = await makeUser()
    await followUser(db, friend.id, member.id)
    await sendMessage(db, member.id, friend.id, 'one')
    await sendMessage(db, member.id, friend.id, 'two')
    await seedPosts(member.id, 700)
    expect(await count('SELECT unread_message_count AS n FROM users WHERE id = ?', friend.id)).toBe(2)
    // Marked and queued as the confirmation does, run here slice by slice (no queue message).
    await env.DB.prepare('UPDATE users SET deleted_at = ? WHERE id = ?').bind(Date.now(), member.id).run()
    const id = await env.DB.prepare(
      `INSERT INTO jobs (user_id, kind, state, cursor, created_at, updated_at)
       VALUES (?, 'delete-account', 'queued', '{}', ?2, ?2) RETURNING id`,
    )
      .bind(member.id, Date.now())
      .first<number>('id')
    const seen: Array<{ phase: string; badge: number; posts: number }> = []
    vi.spyOn(console, 'log').mockImplementation(() => {})
    const outcome = await runJobSlice(env, id!, {
      afterStep: async (_job, cursor) => {
        seen.push({
          phase: String((cursor as { phase?: string }).phase),
          badge: await count('SELECT unread_message_count AS n FROM users WHERE id = ?', friend.id),
          posts: await count('SELECT count(*) AS n FROM posts WHERE user_id = ?', member.id),
        })
      },
    })
    vi.restoreAllMocks()
    expect(outcome).toBe('done')
    // By the time the followers' phase begins, the friend's badge is right and the posts are gone.
    const followers = seen.find((s) => s.phase === 'followers')
    expect(followers).toMatchObject({ badge: 0, posts: 0 })
    expect(await count('SELECT count(*) AS n FROM users WHERE id = ?', member.id)).toBe(0)
  })
})
