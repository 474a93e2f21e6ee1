import { Hono } from 'hono'
import type { AppEnv } from '../../env'
import { isHtmxFragmentRequest } from '../../middleware/htmx'
import { HttpError } from '../../lib/http-error'
import { parsePathId } from '../../lib/path-id'
import { logError } from '../../middleware/log'
import { hitRateLimit, type RateLimitRule } from '../../middleware/rate-limit'
import { requireUser } from '../../middleware/session'
import { getPostById } from '../posts/queries'
import { getCachedTranslation, saveTranslation } from './queries'
import { getTranslator } from './translator'
import { Translation, TranslationPage, type TranslationOutcome } from './views'

export const translateRoutes = new Hono<AppEnv>()

/**
 * Per member, counting every request (cached or not): the cap is on what one account can
 * make Workers AI and D1 do. Generous for reading, tight for a script.
 */
export const TRANSLATE_LIMIT: RateLimitRule = { limit: 30, windowMs: 10 * 60 * 1000 }

/**
 * Translates a post into the reader's language. htmx gets the fragment that replaces the
 * Translate form; a plain form post gets a page with the post and its translation. A
 * translation is made once per (post, language) and then served from D1. With no
 * translator configured (local development) the answer is a clear message, not an error.
 */
translateRoutes.post('/translate/:postId', requireUser, async (c) => {
  const { db, t, lang } = c.var
  const user = c.var.user!
  const postId = parsePathId(c.req.param('postId'))
  if (postId === null) throw new HttpError(404)

  const limit = await hitRateLimit(db, `translate:user:${user.id}`, TRANSLATE_LIMIT)
  if (limit.limited) throw new HttpError(429, 'translate.tooMany', limit.retryAfterSeconds)

  const post = await getPostById(db, postId)
  if (!post) throw new HttpError(404)
  const from = post.language
  if (!from || from === lang) throw new HttpError(400, 'translate.notNeeded')

  let outcome: TranslationOutcome
  const cached = await getCachedTranslation(db, post.id, lang)
  if (cached !== null) {
    outcome = { ok: true, text: cached }
  } else {
    const translator = getTranslator(c.env)
    if (!translator) {
      outcome = { ok: false, reason: 'translate.unavailable' }
    } else {
      try {
        const text = await translator.translate(post.body, from, lang)
        await saveTranslation(db, post.id, lang, text)
        outcome = { ok: true, text }
      } catch (error) {
        // The model being down is not our bug: log it, tell the reader, cache nothing.
        logError(c, error)
        outcome = { ok: false, reason: 'translate.failed' }
      }
    }
  }

  c.header('Vary', 'HX-Request')
  if (isHtmxFragmentRequest(c)) return c.html(<Translation t={t} lang={lang} from={from} outcome={outcome} />)
  return c.render(<TranslationPage t={t} lang={lang} post={post} outcome={outcome} />, {
    title: t('translate.title'),
  })
})
