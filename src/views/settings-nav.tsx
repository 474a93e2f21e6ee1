import type { Translate } from '../lib/i18n'

export type SettingsSection = 'profile' | 'account' | 'sessions' | 'data'

/** The sub-navigation shared by every Settings page; each area adds its entry here. */
export function SettingsNav(props: { t: Translate; current: SettingsSection }) {
  const { t, current } = props
  const items: { id: SettingsSection; href: string; label: string }[] = [
    { id: 'profile', href: '/settings/profile', label: t('settings.profile') },
    { id: 'account', href: '/settings/account', label: t('settings.account') },
    { id: 'sessions', href: '/settings/sessions', label: t('settings.sessions') },
    { id: 'data', href: '/settings/data', label: t('settings.data') },
  ]
  return (
    <nav class="settings-nav" aria-label={t('settings.label')}>
      <ul>
        {items.map((item) => (
          <li>
            <a href={item.href} aria-current={item.id === current ? 'page' : undefined}>
              {item.label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  )
}
