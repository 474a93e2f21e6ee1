import type { Lang, Translate } from '../../lib/i18n'
import { EmailLayout, renderEmailHtml, textBody } from '../../views/email'
import { formatUtcTime, renderLinkEmail, type RenderedEmail } from '../auth/reset/emails'

/** To the new address: the single-use link that makes it the account's address. */
export function renderConfirmEmailEmail(props: { t: Translate; lang: Lang; username: string; link: string }) {
  return renderLinkEmail({
    ...props,
    keys: {
      subject: 'email.confirmAddress.subject',
      intro: 'email.confirmAddress.intro',
      button: 'email.confirmAddress.button',
      expiry: 'email.confirmAddress.expiry',
      ignore: 'email.confirmAddress.ignore',
    },
  })
}

/** To the old address, once the change is done: what changed, when, and what to do if it was not them. */
export async function renderAddressChangedEmail(props: {
  t: Translate
  lang: Lang
  username: string
  newEmail: string
  at: number
}): Promise<RenderedEmail> {
  const { t, lang, username, newEmail } = props
  const time = formatUtcTime(lang, props.at)
  const subject = t('email.addressChanged.subject')
  const html = await renderEmailHtml(
    <EmailLayout t={t} lang={lang} title={subject}>
      <p>{t('email.greeting', { username })}</p>
      <p>{t('email.addressChanged.intro', { email: newEmail, time })}</p>
      <p>{t('email.addressChanged.notYou')}</p>
      <p>{t('email.signature')}</p>
    </EmailLayout>,
  )
  const text = textBody(
    t('email.greeting', { username }),
    t('email.addressChanged.intro', { email: newEmail, time }),
    t('email.addressChanged.notYou'),
    t('email.signature'),
  )
  return { subject, text, html }
}
