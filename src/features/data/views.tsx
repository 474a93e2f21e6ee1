import type { Job } from '../../db/schema'
import type { FieldErrors } from '../../lib/forms'
import { isMessageKey, type Lang, type MessageKey, type Translate } from '../../lib/i18n'
import { Field, RelativeTime } from '../../views/components'
import { SessionGuardField } from '../../views/session-guard'
import { SettingsNav } from '../../views/settings-nav'

const STATE_LABELS = {
  queued: 'data.state.queued',
  running: 'data.state.running',
  done: 'data.state.done',
  failed: 'data.state.failed',
} as const satisfies Record<Job['state'], MessageKey>

/** Polling interval of a running export's status (htmx `every 2s`). */
const POLL = 'every 2s'

function percent(job: Job): number {
  if (job.state === 'done') return 100
  return job.total > 0 ? Math.min(100, Math.floor((job.done / job.total) * 100)) : 0
}

function sizeText(bytes: number, lang: Lang): string {
  const units = ['B', 'kB', 'MB', 'GB']
  let value = bytes
  let unit = 0
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000
    unit += 1
  }
  return `${new Intl.NumberFormat(lang, { maximumFractionDigits: 1 }).format(value)} ${units[unit]}`
}

/**
 * One export and where it stands. While it runs the element polls its own status URL every
 * 2 s and replaces itself; the finished (or failed) state has no trigger, so polling stops.
 * Without JavaScript the Refresh link reloads the page.
 */
export function ExportStatus(props: { t: Translate; lang: Lang; job: Job; now: number }) {
  const { t, lang, job, now } = props
  const active = job.state === 'queued' || job.state === 'running'
  const expired = job.state === 'done' && (job.expiresAt ?? 0) <= now
  const value = percent(job)
  return (
    <li
      id={`export-${job.id}`}
      class={`export export-${job.state}`}
      data-hx-get={active ? `/settings/export/${job.id}/status` : undefined}
      data-hx-trigger={active ? POLL : undefined}
      data-hx-swap={active ? 'outerHTML' : undefined}
    >
      <p>
        <strong>{t(STATE_LABELS[job.state])}</strong> · <RelativeTime at={job.createdAt} lang={lang} />
      </p>
      {job.state !== 'failed' ? (
        <p>
          <progress max={100} value={value} aria-label={t('data.progress')}>
            {`${value}%`}
          </progress>{' '}
          <span class="muted">{t('data.percent', { percent: value })}</span>
        </p>
      ) : null}
      {active ? (
        <p>
          <a href="/settings/data">{t('data.refresh')}</a>
        </p>
      ) : null}
      {job.state === 'done' && !expired ? (
        <p>
          <a class="button" href={`/settings/export/${job.id}/download`} download>
            {t('data.download')}
          </a>{' '}
          <span class="muted">
            {sizeText(job.fileSize ?? 0, lang)} · {t('data.expires')}{' '}
            <RelativeTime at={job.expiresAt ?? now} lang={lang} />
          </span>
        </p>
      ) : null}
      {expired ? <p class="muted">{t('data.expired')}</p> : null}
      {job.state === 'failed' ? (
        <>
          <p class="error">{t(job.error && isMessageKey(job.error) ? job.error : 'jobs.errorRepeated')}</p>
          <form method="post" action={`/settings/export/${job.id}/retry`}>
            <SessionGuardField />
            <button type="submit" class="secondary">
              {t('data.tryAgain')}
            </button>
          </form>
        </>
      ) : null}
    </li>
  )
}

export function DataPage(props: {
  t: Translate
  lang: Lang
  username: string
  exports: Job[]
  now: number
  notice?: string
  deleteErrors?: FieldErrors
}) {
  const { t, lang, exports, now, deleteErrors = {} } = props
  const err = (name: string) => (deleteErrors[name] ? t(deleteErrors[name]) : undefined)
  const active = exports.some((job) => job.state === 'queued' || job.state === 'running')
  return (
    <>
      <SettingsNav t={t} current="data" />
      <section class="card" aria-labelledby="export-title">
        <h1 id="export-title">{t('data.exportTitle')}</h1>
        <p>{t('data.exportIntro')}</p>
        {props.notice ? (
          <p class="flash flash-error" role="alert">
            {props.notice}
          </p>
        ) : null}
        <form method="post" action="/settings/export">
          <SessionGuardField />
          <button type="submit" disabled={active}>
            {t('data.exportButton')}
          </button>
        </form>
        <p class="hint">{t('data.exportLimits')}</p>
        {exports.length ? (
          <ul class="exports" aria-live="polite">
            {exports.map((job) => (
              <ExportStatus t={t} lang={lang} job={job} now={now} />
            ))}
          </ul>
        ) : null}
      </section>
      <section class="card danger-zone" aria-labelledby="delete-title">
        <h2 id="delete-title">{t('data.deleteTitle')}</h2>
        <p>{t('data.deleteIntro')}</p>
        <form method="post" action="/settings/delete-account" novalidate>
          <SessionGuardField />
          <Field
            name="password"
            type="password"
            label={t('data.deletePassword')}
            error={err('password')}
            autocomplete="current-password"
            required
          />
          <Field
            name="confirm"
            label={t('data.deleteConfirm', { username: props.username })}
            error={err('confirm')}
            autocomplete="off"
            required
          />
          <button type="submit" class="danger">
            {t('data.deleteButton')}
          </button>
        </form>
      </section>
    </>
  )
}
