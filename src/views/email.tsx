import type { Child } from 'hono/jsx'
import type { Lang, Translate } from '../lib/i18n'

/**
 * The shell every email's HTML part shares. Email clients ignore stylesheets and strip
 * `<style>`, so the few styles are inline attributes; the layout is a single column that
 * reads well without them (the plain-text part carries the same content).
 */
export function EmailLayout(props: { t: Translate; lang: Lang; title: string; footer?: string; children?: Child }) {
  const { t } = props
  return (
    <html lang={props.lang}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <title>{props.title}</title>
      </head>
      <body style="margin:0;padding:24px;background:#f4f4f5;color:#18181b;font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;font-size:16px;line-height:1.5">
        <div style="max-width:560px;margin:0 auto;background:#ffffff;border-radius:8px;padding:32px">
          <p style="margin:0 0 24px;font-size:20px;font-weight:700">{t('app.name')}</p>
          {props.children}
        </div>
        <p style="max-width:560px;margin:16px auto 0;color:#71717a;font-size:12px">
          {props.footer ?? t('email.footer')}
        </p>
      </body>
    </html>
  )
}

/** A prominent link; the URL is also printed so it can be copied where buttons fail. */
export function EmailButton(props: { href: string; label: string }) {
  return (
    <>
      <p style="margin:24px 0">
        <a
          href={props.href}
          style="display:inline-block;background:#2563eb;color:#ffffff;text-decoration:none;font-weight:600;padding:12px 20px;border-radius:6px"
        >
          {props.label}
        </a>
      </p>
      <p style="margin:0 0 16px;font-size:13px;color:#52525b;word-break:break-all">
        <a href={props.href} style="color:#2563eb">
          {props.href}
        </a>
      </p>
    </>
  )
}

/** Renders an email's JSX to the string the HTML part carries (hono/jsx escapes text). */
export async function renderEmailHtml(element: unknown): Promise<string> {
  const html = await (element as { toString(): string | Promise<string> }).toString()
  return `<!DOCTYPE html>${html}`
}

/** Joins the paragraphs of a plain-text part: a blank line between them. */
export function textBody(...paragraphs: (string | null | undefined | false)[]): string {
  return `${paragraphs.filter((p): p is string => typeof p === 'string' && p !== '').join('\n\n')}\n`
}

/** The origin absolute links start with: `BASE_URL` when set, else the request's origin. */
export function baseUrl(env: { BASE_URL?: string }, requestUrl?: string): string {
  const configured = (env.BASE_URL ?? '').trim().replace(/\/+$/, '')
  if (configured) return configured
  return requestUrl ? new URL(requestUrl).origin : 'http://localhost:8787'
}
