import type { Page } from '../../lib/cursor'
import type { Lang, Translate } from '../../lib/i18n'
import { Field, PostItem, PostList, type PostView } from '../../views/components'
import { NewPostsBar } from '../live/views'
import { POST_MAX } from './schemas'

/**
 * The post form. With htmx it posts in place: the response replaces the form (cleared, or
 * with its error) and adds the new post to the top of `#posts` out of band.
 */
export function PostForm(props: { t: Translate; value?: string; error?: string }) {
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
      <Field
        name="body"
        type="textarea"
        label={t('posts.formLabel')}
        value={props.value}
        error={props.error}
        required
        hint={t('posts.formHint', { max: POST_MAX })}
      />
      <button type="submit">{t('posts.submit')}</button>
    </form>
  )
}

/** What htmx gets after a successful post: a clean form and the post for the timeline. */
export function PostCreated(props: { t: Translate; lang: Lang; post: PostView }) {
  return (
    <>
      <PostForm t={props.t} />
      <div data-hx-swap-oob="afterbegin:#posts">
        <PostItem post={props.post} t={props.t} lang={props.lang} />
      </div>
      <div data-hx-swap-oob="innerHTML:#messages-top">
        <p class="flash" role="status">
          {props.t('posts.live')}
        </p>
      </div>
    </>
  )
}

export function HomePage(props: {
  t: Translate
  lang: Lang
  page: Page<PostView>
  username: string
  value?: string
  error?: string
}) {
  const { t, lang, page } = props
  return (
    <>
      <h1>{t('home.greeting', { username: props.username })}</h1>
      <PostForm t={t} value={props.value} error={props.error} />
      <h2 class="sr-only">{t('home.timeline')}</h2>
      <NewPostsBar t={t} count={0} />
      <PostList posts={page.items} next={page.next} baseUrl="/" t={t} lang={lang} empty={t('home.empty')} />
    </>
  )
}

export function ExplorePage(props: { t: Translate; lang: Lang; page: Page<PostView> }) {
  const { t, lang, page } = props
  return (
    <>
      <h1>{t('explore.title')}</h1>
      <PostList posts={page.items} next={page.next} baseUrl="/explore" t={t} lang={lang} empty={t('explore.empty')} />
    </>
  )
}
