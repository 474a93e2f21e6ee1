import type { Translate } from '../lib/i18n'

export type SettingsSection = 'profile' | 'data' | 'api-tokens'

/** The sub-navigation shared by every Settings page; each area adds its entry here. */
export function SettingsNav(props: { t: Translate; current: SettingsSection }) {
  const { t, current } = props
  const items: { id: SettingsSection; href: string; label: string }[] = [
    { id: 'profile', href: '/settings/profile', label: t('settings.profile') },
    { id: 'data', href: '/settings/data', label: t('settings.data') },
    { id: 'api-tokens', href: '/settings/api-tokens', label: t('apiTokens.nav') },
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
