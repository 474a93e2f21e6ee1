import { exports } from 'cloudflare:workers'
import { expect } from 'vitest'
import { type Client, ORIGIN } from './helpers'

/** The upgrade request a page of ours sends for `client` (its cookies, address and our Origin). */
export function liveUpgrade(client: Client, headers: Record<string, string> = {}): Promise<Response> {
  return exports.default.fetch(
    new Request(`${ORIGIN}/live`, {
      headers: {
        Upgrade: 'websocket',
        Origin: ORIGIN,
        'CF-Connecting-IP': client.ip,
        Cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
        ...headers,
      },
    }),
  )
}

/** A WebSocket to `GET /live` as `client`, collecting what the hub pushes. */
export async function openLive(client: Client) {
  const response = await liveUpgrade(client)
  expect(response.status).toBe(101)
  const ws = response.webSocket!
  ws.accept()
  const received: string[] = []
  const waiters: Array<() => void> = []
  let closedWith: { code: number; reason: string } | null = null
  /** Resolves with the close code and reason once the server closed the socket. */
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    ws.addEventListener('close', (event) => {
      closedWith = { code: event.code, reason: event.reason }
      resolve(closedWith)
    })
  })
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
  /** The close code and reason, or fails when the server has not closed the socket within `ms`. */
  async function closedWithin(ms = 2000): Promise<{ code: number; reason: string }> {
    let timer: ReturnType<typeof setTimeout> | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the socket is still open after ${ms} ms`)), ms)
    })
    try {
      return await Promise.race([closed, timeout])
    } finally {
      clearTimeout(timer)
    }
  }
  return { ws, received, next, closed, closedWithin, isClosed: () => closedWith !== null }
}
