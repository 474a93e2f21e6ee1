import type { Page } from '../../lib/cursor'
import type { Lang, Translate } from '../../lib/i18n'
import { Field, PostItem, PostList, type PostView } from '../../views/components'
import { LiveFallbackLink, NewPostsBar } from '../live/views'
import { SessionGuardField } from '../../views/session-guard'
import type { Suggestion } from '../follows/queries'
import { WhoToFollow, WhoToFollowSlot } from '../follows/views'
import { POST_MAX } from './schemas'

/**
 * The post form. With htmx it posts in place: the response replaces the form (cleared, or
 * with its error) and adds the new post to the top of `#posts` out of band. `form_key` is
 * a one-time key: the server makes one post per key, whatever the number of submits.
 */
export function PostForm(props: { t: Translate; value?: string | undefined; error?: string | undefined }) {
  const { t } = props
  return (
    <form
      id="post-form"
      class="card post-form"
      method="post"
      action="/"
      data-hx-post="/"
      data-hx-target="this"
      data-hx-swap="outerHTML"
      data-hx-disabled-elt="find button"
    >
      <input type="hidden" name="form_key" value={crypto.randomUUID()} />
      <SessionGuardField />
      <Field
        name="body"
        type="textarea"
        label={t('posts.formLabel')}
        value={props.value}
        error={props.error}
        autofocus={props.error !== undefined}
        required
        hint={t('posts.formHint', { max: POST_MAX })}
      >
        {/* The character counter (public/js/composer.js); its words come in the reader's language. */}
        <p
          class="char-counter"
          id="post-counter"
          aria-hidden="true"
          data-max={POST_MAX}
          data-left-one={t('composer.left.one')}
          data-left-other={t('composer.left.other')}
          data-over-one={t('composer.over.one')}
          data-over-other={t('composer.over.other')}
          hidden
        ></p>
        <p class="sr-only char-status" role="status"></p>
      </Field>
      <button type="submit">{t('posts.submit')}</button>
    </form>
  )
}

/**
 * What htmx gets after a successful post: a clean form, the post for the top of the
 * timeline and the removal of the empty-timeline text. A repeated submit (same key) gets
 * the clean form only, so the post is not shown twice.
 */
export function PostCreated(props: { t: Translate; lang: Lang; post: PostView; duplicate: boolean }) {
  const { t, lang, post } = props
  return (
    <>
      <PostForm t={t} />
      {props.duplicate ? null : (
        <>
          <div data-hx-swap-oob="afterbegin:#posts">
            <PostItem post={post} t={t} lang={lang} viewerId={post.author.id} />
          </div>
          <p id="posts-empty" data-hx-swap-oob="delete"></p>
        </>
      )}
      <div data-hx-swap-oob="innerHTML:#messages-top">
        <p class="flash" role="status">
          {t('posts.live')}
        </p>
      </div>
    </>
  )
}

/**
 * The home page: the form, the live "new posts" bar (or its no-JavaScript link) and the
 * timeline; "Who to follow" beside it — in the page on an empty timeline, else loaded after.
 */
export function HomePage(props: {
  t: Translate
  lang: Lang
  page: Page<PostView>
  username: string
  viewerId: number
  suggestions: Suggestion[]
  value?: string | undefined
  error?: string | undefined
}) {
  const { t, lang, page } = props
  return (
    <div class="home-grid">
      <div class="home-main">
        <h1>{t('home.greeting', { username: props.username })}</h1>
        <PostForm t={t} value={props.value} error={props.error} />
        <h2 class="sr-only">{t('home.timeline')}</h2>
        <NewPostsBar t={t} count={0} />
        <LiveFallbackLink t={t} href="/" />
        <PostList
          posts={page.items}
          next={page.next}
          newer={page.newer ?? null}
          baseUrl="/"
          t={t}
          lang={lang}
          empty={t('home.empty')}
          viewerId={props.viewerId}
        />
      </div>
      {page.items.length === 0 ? <WhoToFollow t={t} people={props.suggestions} always /> : <WhoToFollowSlot />}
    </div>
  )
}

export function ExplorePage(props: { t: Translate; lang: Lang; page: Page<PostView>; viewerId?: number | undefined }) {
  const { t, lang, page } = props
  return (
    <>
      <h1>{t('explore.title')}</h1>
      <PostList
        posts={page.items}
        next={page.next}
        newer={page.newer ?? null}
        baseUrl="/explore"
        t={t}
        lang={lang}
        empty={t('explore.empty')}
        viewerId={props.viewerId}
      />
    </>
  )
}

/** A post's own page (public): the post, and a way on to its author. */
export function PostPageView(props: { t: Translate; lang: Lang; post: PostView; viewerId?: number | undefined }) {
  const { t, lang, post } = props
  const author = encodeURIComponent(post.author.username)
  return (
    <>
      <h1>{t('post.heading', { username: post.author.username })}</h1>
      <section class="post-list single-post">
        <PostItem post={post} t={t} lang={lang} viewerId={props.viewerId} />
      </section>
      <p>
        <a href={`/user/${author}`}>{t('follows.backToProfile', { username: post.author.username })}</a>
      </p>
    </>
  )
}

/** Without JavaScript, Delete asks here first. */
export function DeleteConfirmPage(props: { t: Translate; lang: Lang; post: PostView; next: string }) {
  const { t, lang, post } = props
  const action = `/post/${post.id}/delete`
  return (
    <section class="card narrow">
      <h1>{t('posts.deleteTitle')}</h1>
      <p>{t('posts.deleteConfirm')}</p>
      <div class="post-list single-post">
        <PostItem post={post} t={t} lang={lang} />
      </div>
      <form method="post" action={action} class="actions">
        <input type="hidden" name="next" value={props.next} />
        <SessionGuardField />
        <button type="submit" class="danger">
          {t('posts.delete')}
        </button>
        <a href={props.next}>{t('forms.cancel')}</a>
      </form>
    </section>
  )
}
