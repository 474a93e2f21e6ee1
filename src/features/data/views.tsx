import type { Job } from '../../db/schema'
import type { FieldErrors } from '../../lib/forms'
import { isMessageKey, type Lang, type MessageKey, type Translate } from '../../lib/i18n'
import { Field, RelativeTime } from '../../views/components'
import { SessionGuardField } from '../../views/session-guard'
import { SettingsNav } from '../../views/settings-nav'
import { localized, type LiveEvent } from '../live/events'

const STATE_LABELS = {
  queued: 'data.state.queued',
  running: 'data.state.running',
  done: 'data.state.done',
  failed: 'data.state.failed',
} as const satisfies Record<Job['state'], MessageKey>

/** Polling interval of a running export's status (htmx `every 2s`). */
const POLL = 'every 2s'

/**
 * What the status of one export needs: the job row without its cursor (which the live
 * channel must not carry) — plain data, so a job can send it to the member's hub over RPC.
 */
export type ExportView = Pick<
  Job,
  'id' | 'state' | 'done' | 'total' | 'error' | 'fileSize' | 'expiresAt' | 'createdAt' | 'updatedAt'
>

export function toExportView(job: Job): ExportView {
  const { id, state, done, total, error, fileSize, expiresAt, createdAt, updatedAt } = job
  return { id, state, done, total, error, fileSize, expiresAt, createdAt, updatedAt }
}

/** Ranks the states, so a later state wins a tie on `updatedAt` (public/js/export-progress.js). */
const STATE_RANK = { queued: 0, running: 1, done: 2, failed: 2 } as const satisfies Record<Job['state'], number>

/**
 * A number that only grows as the job moves on (updated time, then state): the page drops a
 * fragment older than, or the same as, what it shows — a late poll answer after a push, or
 * the hub's replay of a state the page was rendered with — so nothing flickers back.
 */
export function exportRevision(job: ExportView): number {
  return job.updatedAt * 4 + STATE_RANK[job.state]
}

function percent(job: ExportView): number {
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
 * One export and where it stands. The member's live channel pushes this same fragment (out
 * of band, by id) after every chunk and at the end (features/live). While the job runs the
 * element also carries a 2 s poll of its own status URL, the fallback for a page without a
 * socket: public/js/export-progress.js cancels each poll while the socket is open. The
 * finished (or failed) state has no trigger, so polling stops. Without JavaScript the
 * Refresh link reloads the page.
 */
export function ExportStatus(props: { t: Translate; lang: Lang; job: ExportView; now: number; oob?: boolean }) {
  const { t, lang, job, now } = props
  const active = job.state === 'queued' || job.state === 'running'
  const expired = job.state === 'done' && (job.expiresAt ?? 0) <= now
  const value = percent(job)
  return (
    <li
      id={`export-${job.id}`}
      class={`export export-${job.state}`}
      data-export-rev={String(exportRevision(job))}
      data-hx-swap-oob={props.oob ? 'true' : undefined}
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

/**
 * An export's status as its member's live channel pushes it, rendered now (so "expired"
 * is judged at the time of the push) in every language.
 */
export function exportEvent(job: ExportView): LiveEvent {
  const now = Date.now()
  return {
    type: 'export',
    id: job.id,
    finished: job.state === 'done' || job.state === 'failed',
    html: localized((t, lang) => <ExportStatus t={t} lang={lang} job={job} now={now} oob />),
  }
}

/**
 * The export card. Its form works without JavaScript (303 back to the page, with a flash);
 * under htmx it replaces just this card, so the page — and its live socket — stay: the new
 * export's progress then arrives over the socket from the first chunk on.
 */
export function ExportSection(props: {
  t: Translate
  lang: Lang
  exports: ExportView[]
  now: number
  notice?: { text: string; ok?: boolean }
}) {
  const { t, lang, exports, now, notice } = props
  const active = exports.some((job) => job.state === 'queued' || job.state === 'running')
  return (
    <section id="export-section" class="card" aria-labelledby="export-title">
      <h1 id="export-title">{t('data.exportTitle')}</h1>
      <p>{t('data.exportIntro')}</p>
      {notice ? (
        <p class={notice.ok ? 'flash' : 'flash flash-error'} role={notice.ok ? 'status' : 'alert'}>
          {notice.text}
        </p>
      ) : null}
      <form
        method="post"
        action="/settings/export"
        data-hx-post="/settings/export"
        data-hx-target="#export-section"
        data-hx-swap="outerHTML"
      >
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
  )
}

export function DataPage(props: {
  t: Translate
  lang: Lang
  username: string
  exports: ExportView[]
  now: number
  notice?: string
  deleteErrors?: FieldErrors
}) {
  const { t, lang, exports, now, deleteErrors = {} } = props
  const err = (name: string) => (deleteErrors[name] ? t(deleteErrors[name]) : undefined)
  return (
    <>
      <SettingsNav t={t} current="data" />
      <ExportSection
        t={t}
        lang={lang}
        exports={exports}
        now={now}
        notice={props.notice ? { text: props.notice } : undefined}
      />
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
