import { exports } from 'cloudflare:workers'
import { expect } from 'vitest'
import { type Client, ORIGIN } from './helpers'

/** A WebSocket to `GET /live` as `client`, collecting what the hub pushes. */
export async function openLive(client: Client) {
  const response = await exports.default.fetch(
    new Request(`${ORIGIN}/live`, {
      headers: {
        Upgrade: 'websocket',
        Origin: ORIGIN,
        Cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
      },
    }),
  )
  expect(response.status).toBe(101)
  const ws = response.webSocket!
  ws.accept()
  const received: string[] = []
  const waiters: Array<() => void> = []
  ws.addEventListener('message', (event) => {
    received.push(String(event.data))
    for (const wake of waiters.splice(0)) wake()
  })
  /** Resolves with the first message (from `from` on) that matches, or fails after `ms`. */
  async function next(match: (html: string) => boolean, from = 0, ms = 5000): Promise<string> {
    const deadline = Date.now() + ms
    for (;;) {
      const found = received.slice(from).find(match)
      if (found) return found
      const left = deadline - Date.now()
      if (left <= 0) throw new Error(`no matching live message; got: ${JSON.stringify(received)}`)
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left)
        waiters.push(() => {
          clearTimeout(timer)
          resolve()
        })
      })
    }
  }
  return { ws, received, next }
}
