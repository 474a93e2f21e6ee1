import type { DevOutboxEmail } from '../../db/schema'
import type { Lang, Translate } from '../../lib/i18n'
import { RelativeTime } from '../../views/components'

/** The http(s) links of a plain-text email, for one-click use in development. */
export function extractLinks(text: string): string[] {
  const links = text.match(/https?:\/\/[^\s<>"']+/g) ?? []
  return [...new Set(links)]
}

/**
 * The `log` transport's outbox. An email's HTML is shown in a sandboxed iframe (no `allow-*`
 * tokens: no script, no navigation of this page, an opaque origin) loaded from
 * `/dev/mail/:id/html`, which has its own policy so the email's inline styles apply (a
 * `srcdoc` frame would inherit this page's CSP, which blocks them). The plain-text part and
 * its links sit beside it. The frame's size is in the stylesheet.
 */
export function DevMailPage(props: { t: Translate; lang: Lang; emails: DevOutboxEmail[] }) {
  const { t, lang, emails } = props
  return (
    <section class="dev-mail">
      <h1>{t('dev.mail.title')}</h1>
      <p class="muted">{t('dev.mail.intro')}</p>
      {emails.length === 0 ? <p class="empty">{t('dev.mail.empty')}</p> : null}
      {emails.map((email) => {
        const links = extractLinks(email.text)
        return (
          <article class="card dev-mail-item" id={`mail-${email.id}`}>
            <h2>{email.subject}</h2>
            <p>
              {t('dev.mail.to')}: {email.to} · <RelativeTime at={email.createdAt} lang={lang} />
            </p>
            {links.length > 0 ? (
              <>
                <h3>{t('dev.mail.links')}</h3>
                <ul class="dev-mail-links">
                  {links.map((href) => (
                    <li>
                      <a href={href} rel="noreferrer">
                        {href}
                      </a>
                    </li>
                  ))}
                </ul>
              </>
            ) : null}
            <details>
              <summary>{t('dev.mail.text')}</summary>
              <pre class="dev-mail-text">{email.text}</pre>
            </details>
            <details open>
              <summary>{t('dev.mail.html')}</summary>
              <iframe
                class="dev-mail-html"
                sandbox=""
                src={`/dev/mail/${email.id}/html`}
                title={t('dev.mail.htmlFrame', { subject: email.subject })}
                referrerpolicy="no-referrer"
                loading="lazy"
              ></iframe>
            </details>
          </article>
        )
      })}
    </section>
  )
}
