import type { Lang, Translate } from '../../lib/i18n'
import { PostItem, type PostView } from '../../views/components'

/** What a translation request produced: the text, or why there is none. */
export type TranslationOutcome =
  { ok: true; text: string } | { ok: false; reason: 'translate.unavailable' | 'translate.failed' }

const displayNames = new Map<Lang, Intl.DisplayNames>()

/** "Spanish" in the reader's language ("español" for a Spanish reader), or the code. */
function languageName(code: string, lang: Lang): string {
  try {
    let names = displayNames.get(lang)
    if (!names) {
      // One formatter per language per isolate: building one per post is slow.
      names = new Intl.DisplayNames([lang], { type: 'language' })
      displayNames.set(lang, names)
    }
    return names.of(code) ?? code
  } catch {
    return code
  }
}

/**
 * What replaces the Translate form (htmx swaps it in with `outerHTML`). The translation
 * is model output built from user text, so it is plain text: escaped by hono/jsx, never
 * passed to `raw()`, and not linkified (a model may rewrite a URL into a wrong one).
 */
export function Translation(props: { t: Translate; lang: Lang; from: string; outcome: TranslationOutcome }) {
  const { t, lang, outcome } = props
  if (!outcome.ok) {
    return (
      <p class="translation translation-unavailable muted" role="status">
        {t(outcome.reason)}
      </p>
    )
  }
  return (
    <div class="translation" role="status">
      <p class="translation-note muted">{t('translate.from', { language: languageName(props.from, lang) })}</p>
      <p class="translation-body" lang={lang}>
        {outcome.text}
      </p>
    </div>
  )
}

/** Without JavaScript the Translate form posts here: the post, with its translation. */
export function TranslationPage(props: { t: Translate; lang: Lang; post: PostView; outcome: TranslationOutcome }) {
  const { t, lang, post } = props
  return (
    <>
      <h1>{t('translate.title')}</h1>
      <section class="post-list">
        <PostItem
          post={post}
          t={t}
          lang={lang}
          translation={<Translation t={t} lang={lang} from={post.language ?? ''} outcome={props.outcome} />}
        />
      </section>
      <p>
        <a href={`/user/${encodeURIComponent(post.author.username)}`}>
          {t('follows.backToProfile', { username: post.author.username })}
        </a>
      </p>
    </>
  )
}
