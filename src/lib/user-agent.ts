import Bowser from 'bowser'

/**
 * What Settings → Sessions shows of the browser a session was opened from: its name with the
 * major version ("Chrome 131") and the operating system's name ("macOS", "Android"). Not the
 * system's version: browsers now freeze it (every Mac says 10.15.7, Windows 11 says NT 10.0),
 * so it would mislead. Only this summary is stored, never the whole User-Agent header. Parsed by `bowser` (MIT, kept
 * up to date); `ua-parser-js`, the other common parser, is AGPL from version 2.
 * Unknown or absent parts are null (the page says "Unknown browser").
 */
export type UserAgentSummary = { browser: string | null; os: string | null }

/** Longer headers are cut before parsing: nothing a real browser sends is this long. */
const MAX_HEADER = 512
/** Stored parts are cut too, so a made-up header cannot fill a table cell. */
const MAX_PART = 40

export function summarizeUserAgent(header: string | null | undefined): UserAgentSummary {
  const ua = (header ?? '').slice(0, MAX_HEADER).trim()
  if (!ua) return { browser: null, os: null }
  const parsed = Bowser.parse(ua)
  const major = parsed.browser.version?.split('.')[0]
  const browser = parsed.browser.name ? join(parsed.browser.name, major) : null
  const os = parsed.os.name ? parsed.os.name.slice(0, MAX_PART) : null
  return { browser, os }
}

function join(name: string, version: string | undefined): string {
  return (version ? `${name} ${version}` : name).slice(0, MAX_PART)
}

/**
 * The country Cloudflare's edge saw the request come from (`request.cf.country`): an ISO
 * 3166-1 alpha-2 code, or `T1` for Tor. Absent, `XX` (Cloudflare does not know) or anything
 * else: null, shown as "unknown".
 */
export function requestCountry(cf: unknown): string | null {
  const country = (cf as { country?: unknown } | undefined)?.country
  if (typeof country !== 'string' || country === 'XX') return null
  return /^([A-Z]{2}|T1)$/.test(country) ? country : null
}
