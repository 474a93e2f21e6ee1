import type { Lang, Translate } from '../../lib/i18n'
import { EmailButton, EmailLayout, renderEmailHtml, textBody } from '../../views/email'

export type RenderedEmail = { subject: string; text: string; html: string }

/** "Your data is ready": the download link (never the file), in the member's language. */
export async function renderExportReadyEmail(props: {
  t: Translate
  lang: Lang
  username: string
  link: string
  expiresAt: number
}): Promise<RenderedEmail> {
  const { t, lang, username, link } = props
  const date = new Intl.DateTimeFormat(lang, { dateStyle: 'long', timeZone: 'UTC' }).format(new Date(props.expiresAt))
  const subject = t('email.export.subject')
  const html = await renderEmailHtml(
    <EmailLayout t={t} lang={lang} title={subject}>
      <p>{t('email.greeting', { username })}</p>
      <p>{t('email.export.intro')}</p>
      <EmailButton href={link} label={t('email.export.button')} />
      <p>{t('email.export.expiry', { date })}</p>
      <p>{t('email.signature')}</p>
    </EmailLayout>,
  )
  const text = textBody(
    t('email.greeting', { username }),
    t('email.export.intro'),
    link,
    t('email.export.expiry', { date }),
    t('email.signature'),
  )
  return { subject, text, html }
}

/** The notice that an account and its data are gone. */
export async function renderAccountDeletedEmail(props: {
  t: Translate
  lang: Lang
  username: string
}): Promise<RenderedEmail> {
  const { t, lang, username } = props
  const subject = t('email.deleted.subject')
  const html = await renderEmailHtml(
    <EmailLayout t={t} lang={lang} title={subject}>
      <p>{t('email.greeting', { username })}</p>
      <p>{t('email.deleted.intro')}</p>
      <p>{t('email.deleted.reserved')}</p>
      <p>{t('email.signature')}</p>
    </EmailLayout>,
  )
  const text = textBody(
    t('email.greeting', { username }),
    t('email.deleted.intro'),
    t('email.deleted.reserved'),
    t('email.signature'),
  )
  return { subject, text, html }
}
