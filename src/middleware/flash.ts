import type { Context } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import { isMessageKey, type MessageKey } from '../lib/i18n'

const FLASH_COOKIE = 'flash'

/**
 * One-shot messages after a redirect (PRG). The cookie carries only a catalog key, never
 * user text, so it cannot inject markup and is shown in the reader's language.
 */
export function setFlash(c: Context, key: MessageKey): void {
  setCookie(c, FLASH_COOKIE, key, {
    path: '/',
    httpOnly: true,
    sameSite: 'Lax',
    secure: new URL(c.req.url).protocol === 'https:',
    maxAge: 60,
  })
}

/** Reads and clears the flash message, if any. */
export function takeFlash(c: Context): MessageKey | null {
  const value = getCookie(c, FLASH_COOKIE)
  if (!value) return null
  deleteCookie(c, FLASH_COOKIE, { path: '/' })
  return isMessageKey(value) ? value : null
}
