import type { Lang, MessageKey, Translate } from '../../../lib/i18n'
import { EmailButton, EmailLayout, renderEmailHtml, textBody } from '../../../views/email'

export type RenderedEmail = { subject: string; text: string; html: string }

/** The catalog keys of an email whose point is one single-use link. */
export type LinkEmailKeys = {
  subject: MessageKey
  intro: MessageKey
  button: MessageKey
  expiry: MessageKey
  ignore: MessageKey
}

/** An email carrying one link (a reset, a new address to confirm), in the recipient's language. */
export async function renderLinkEmail(props: {
  t: Translate
  lang: Lang
  username: string
  link: string
  keys: LinkEmailKeys
}): Promise<RenderedEmail> {
  const { t, lang, username, link, keys } = props
  const subject = t(keys.subject)
  const html = await renderEmailHtml(
    <EmailLayout t={t} lang={lang} title={subject}>
      <p>{t('email.greeting', { username })}</p>
      <p>{t(keys.intro)}</p>
      <EmailButton href={link} label={t(keys.button)} />
      <p>{t(keys.expiry)}</p>
      <p>{t(keys.ignore)}</p>
      <p>{t('email.signature')}</p>
    </EmailLayout>,
  )
  const text = textBody(
    t('email.greeting', { username }),
    t(keys.intro),
    link,
    t(keys.expiry),
    t(keys.ignore),
    t('email.signature'),
  )
  return { subject, text, html }
}

/** The email with the reset link. */
export function renderResetEmail(props: { t: Translate; lang: Lang; username: string; link: string }) {
  return renderLinkEmail({
    ...props,
    keys: {
      subject: 'email.reset.subject',
      intro: 'email.reset.intro',
      button: 'email.reset.button',
      expiry: 'email.reset.expiry',
      ignore: 'email.reset.ignore',
    },
  })
}

/** A time in UTC as emails state it ("7 December 2026 at 21:23"), in the recipient's language. */
export function formatUtcTime(lang: Lang, at: number): string {
  return new Intl.DateTimeFormat(lang, { dateStyle: 'long', timeStyle: 'short', timeZone: 'UTC' }).format(new Date(at))
}

/**
 * The notice after a password change, with a way back in if it was not the owner. `kept`:
 * changed in Settings, where the browser that changed it stays logged in.
 */
export async function renderPasswordChangedEmail(props: {
  t: Translate
  lang: Lang
  username: string
  at: number
  resetLink: string
  kept?: boolean
}): Promise<RenderedEmail> {
  const { t, lang, username, resetLink } = props
  const intro = props.kept ? 'email.changed.introKept' : 'email.changed.intro'
  const time = formatUtcTime(lang, props.at)
  const subject = t('email.changed.subject')
  const html = await renderEmailHtml(
    <EmailLayout t={t} lang={lang} title={subject}>
      <p>{t('email.greeting', { username })}</p>
      <p>{t(intro, { time })}</p>
      <p>{t('email.changed.notYou')}</p>
      <EmailButton href={resetLink} label={t('email.changed.button')} />
      <p>{t('email.signature')}</p>
    </EmailLayout>,
  )
  const text = textBody(
    t('email.greeting', { username }),
    t(intro, { time }),
    t('email.changed.notYou'),
    resetLink,
    t('email.signature'),
  )
  return { subject, text, html }
}
