import type { Lang, Translate } from '../../../lib/i18n'
import { EmailButton, EmailLayout, renderEmailHtml, textBody } from '../../../views/email'

export type RenderedEmail = { subject: string; text: string; html: string }

/** The email with the reset link, in the recipient's language. */
export async function renderResetEmail(props: {
  t: Translate
  lang: Lang
  username: string
  link: string
}): Promise<RenderedEmail> {
  const { t, lang, username, link } = props
  const subject = t('email.reset.subject')
  const html = await renderEmailHtml(
    <EmailLayout t={t} lang={lang} title={subject}>
      <p>{t('email.greeting', { username })}</p>
      <p>{t('email.reset.intro')}</p>
      <EmailButton href={link} label={t('email.reset.button')} />
      <p>{t('email.reset.expiry')}</p>
      <p>{t('email.reset.ignore')}</p>
      <p>{t('email.signature')}</p>
    </EmailLayout>,
  )
  const text = textBody(
    t('email.greeting', { username }),
    t('email.reset.intro'),
    link,
    t('email.reset.expiry'),
    t('email.reset.ignore'),
    t('email.signature'),
  )
  return { subject, text, html }
}

/** The notice after a password change, with a way back in if it was not the owner. */
export async function renderPasswordChangedEmail(props: {
  t: Translate
  lang: Lang
  username: string
  at: number
  resetLink: string
}): Promise<RenderedEmail> {
  const { t, lang, username, resetLink } = props
  const time = new Intl.DateTimeFormat(lang, { dateStyle: 'long', timeStyle: 'short', timeZone: 'UTC' }).format(
    new Date(props.at),
  )
  const subject = t('email.changed.subject')
  const html = await renderEmailHtml(
    <EmailLayout t={t} lang={lang} title={subject}>
      <p>{t('email.greeting', { username })}</p>
      <p>{t('email.changed.intro', { time })}</p>
      <p>{t('email.changed.notYou')}</p>
      <EmailButton href={resetLink} label={t('email.changed.button')} />
      <p>{t('email.signature')}</p>
    </EmailLayout>,
  )
  const text = textBody(
    t('email.greeting', { username }),
    t('email.changed.intro', { time }),
    t('email.changed.notYou'),
    resetLink,
    t('email.signature'),
  )
  return { subject, text, html }
}
