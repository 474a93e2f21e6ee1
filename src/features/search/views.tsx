import type { Lang, Translate } from '../../lib/i18n'
import { linkify } from '../../lib/linkify'
import { markRanges, splitByRanges } from '../../lib/highlight'
import { Avatar, MoreLink, PostItem } from '../../views/components'
import type { PersonHit, SearchHit } from './queries'
import { QUERY_MAX } from './schemas'

export type SearchResults = {
  q: string
  people: PersonHit[]
  hits: SearchHit[]
  next: string | null
}

export function searchUrl(q: string): string {
  return `/search?q=${encodeURIComponent(q)}`
}

/**
 * A post body with its matches in `<mark>`. Links stay links (as in every post); the
 * ranges from FTS5's highlight() are cut across the link/text segments. Every piece is a
 * JSX text child, so the post's own characters are always escaped.
 */
export function HighlightedBody(props: { hit: SearchHit }) {
  const { hit } = props
  const ranges = markRanges(hit.marked, hit.body)
  let offset = 0
  return (
    <p class="post-body" dir="auto" lang={hit.language ?? undefined}>
      {linkify(hit.body).map((segment) => {
        const pieces = splitByRanges(segment.text, offset, ranges).map((piece) =>
          piece.marked ? <mark>{piece.text}</mark> : piece.text,
        )
        offset += segment.text.length
        return segment.kind === 'link' ? (
          <a href={segment.href} rel="nofollow noopener ugc" target="_blank">
            {pieces}
          </a>
        ) : (
          pieces
        )
      })}
    </p>
  )
}

/** One page of matching posts and, when there are more, the element that loads them. */
export function SearchHits(props: {
  t: Translate
  lang: Lang
  q: string
  hits: SearchHit[]
  next: string | null
  viewerId?: number | undefined
}) {
  const { t, lang } = props
  return (
    <>
      {props.hits.map((hit) => (
        <PostItem post={hit} t={t} lang={lang} body={<HighlightedBody hit={hit} />} viewerId={props.viewerId} />
      ))}
      <MoreLink next={props.next} baseUrl={searchUrl(props.q)} label={t('search.more')} />
    </>
  )
}

function People(props: { t: Translate; people: PersonHit[] }) {
  if (props.people.length === 0) return null
  return (
    <section class="search-people" aria-labelledby="search-people-heading">
      <h2 id="search-people-heading">{props.t('search.people')}</h2>
      <ul class="people-list">
        {props.people.map((person) => (
          <li class="person">
            <Avatar email={person.email} size={48} username={person.username} />
            <div>
              <a class="author" href={`/user/${encodeURIComponent(person.username)}`}>
                {person.username}
              </a>
              {person.aboutMe ? <p class="about">{person.aboutMe}</p> : null}
            </div>
          </li>
        ))}
      </ul>
    </section>
  )
}

/**
 * The content of the search page, also what htmx swaps into `#main` as the nav box is
 * typed in (with a `<title>`, which htmx applies to the document). `#search-error` is what
 * the search boxes point to when the query is too long.
 */
export function SearchMain(props: {
  t: Translate
  lang: Lang
  results: SearchResults | null
  q: string
  error?: string
  title?: string
  viewerId?: number | undefined
}) {
  const { t, lang, results, q } = props
  return (
    <>
      {props.title ? <title>{props.title}</title> : null}
      <h1>{results ? t('search.resultsFor', { q }) : t('search.title')}</h1>
      {/* On a narrow screen the navigation links here instead of holding a box (CSS): this is the box. */}
      <SearchForm t={t} q={q} id="search-q" class="search-page-form" />
      {props.error ? (
        <p class="error" id="search-error" role="alert">
          {props.error}
        </p>
      ) : null}
      {!results && !props.error ? <p class="hint">{t('search.hint')}</p> : null}
      {results ? (
        <>
          <People t={t} people={results.people} />
          <section class="search-posts" aria-labelledby="search-posts-heading">
            <h2 id="search-posts-heading">{t('search.posts')}</h2>
            <div id="posts" class="post-list">
              {results.hits.length === 0 ? <p class="empty">{t('search.noResults')}</p> : null}
              <SearchHits t={t} lang={lang} q={q} hits={results.hits} next={results.next} viewerId={props.viewerId} />
            </div>
          </section>
        </>
      ) : null}
    </>
  )
}

/** htmx on the navigation's box: the results go into `#main` as it is typed in, the URL is pushed. */
const LIVE_SEARCH = {
  'data-hx-get': '/search',
  'data-hx-trigger': 'input changed delay:300ms, search',
  'data-hx-target': '#main',
  'data-hx-swap': 'innerHTML',
  'data-hx-push-url': 'true',
  'data-hx-sync': 'this:replace',
}

/**
 * A search box: a plain GET form to the search page (no JavaScript needed) showing `q`,
 * which is kept even when too long and then marked invalid (`#search-error` says why). The
 * navigation's (`live`) also searches as it is typed in; see `public/js/search.js`.
 */
function SearchForm(props: { t: Translate; q: string; id: string; class: string; live?: boolean }) {
  const { t, q } = props
  const invalid = [...q].length > QUERY_MAX
  return (
    <form class={props.class} role="search" method="get" action="/search">
      <label for={props.id} class="sr-only">
        {t('search.label')}
      </label>
      <input
        id={props.id}
        type="search"
        name="q"
        value={q}
        maxlength={QUERY_MAX}
        placeholder={t('search.placeholder')}
        autocomplete="off"
        aria-invalid={invalid ? 'true' : undefined}
        aria-describedby={invalid ? 'search-error' : undefined}
        {...(props.live ? LIVE_SEARCH : {})}
      />
      <button type="submit" class={props.live ? 'secondary' : undefined}>
        {t('search.submit')}
      </button>
    </form>
  )
}

/**
 * The navigation's search (given to the layout as its search slot): the box, showing the
 * query of the search page it is on; on a narrow screen (CSS) a link to the search page
 * instead, so the navigation's places keep their room.
 */
export function NavSearch(props: { t: Translate; path: string; query: string | undefined }) {
  const q = props.path === '/search' ? (props.query ?? '') : ''
  return (
    <>
      <SearchForm t={props.t} q={q} id="nav-search-q" class="nav-search" live />
      <a class="nav-search-link icon-search" href="/search">
        {props.t('search.title')}
      </a>
    </>
  )
}
