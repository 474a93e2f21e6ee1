/**
 * The server renders times in UTC and says so ("Jan 15, 2026, 9:30 AM UTC"), since it
 * cannot know the reader's zone; `public/js/app.js` then shows them in the reader's own.
 */
export const ABSOLUTE_TIME_OPTIONS: Intl.DateTimeFormatOptions = {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: 'numeric',
  minute: '2-digit',
  timeZone: 'UTC',
  timeZoneName: 'short',
}

type Piece = string | ((date: Date) => string)

/**
 * A time as `Intl.DateTimeFormat(lang, ABSOLUTE_TIME_OPTIONS).format(at)` writes it.
 *
 * Calling `format` was ~5 µs per time — a tenth of a timeline page's CPU in
 * `npm run bench -- --profile`. So Intl is asked once per language for the pattern (the
 * order of the fields and the text between them), the month names and the AM/PM words;
 * each time is then the pattern filled in with the date's UTC fields. The pattern is checked
 * against Intl on sample times when it is built; if anything differs (or the language uses
 * fields this does not know), that language keeps calling Intl. One pattern per language
 * the app supports, built on first use: the set is bounded by the catalogs.
 */
export function formatAbsoluteTime(lang: string, at: number): string {
  let format = formats.get(lang)
  if (!format) {
    format = compileFormat(lang)
    formats.set(lang, format)
  }
  return format(new Date(at))
}

const formats = new Map<string, (date: Date) => string>()

/** Sample times the compiled pattern must reproduce exactly (midnight, noon, each month…). */
const SAMPLES = [
  Date.UTC(2024, 0, 1, 0, 0),
  Date.UTC(2024, 1, 29, 12, 5),
  Date.UTC(2025, 2, 9, 11, 59),
  Date.UTC(2025, 3, 10, 13, 30),
  Date.UTC(2025, 4, 31, 23, 1),
  Date.UTC(2026, 5, 15, 9, 9),
  Date.UTC(2026, 6, 4, 22, 45),
  Date.UTC(2026, 7, 20, 1, 0),
  Date.UTC(2026, 8, 5, 0, 7),
  Date.UTC(2026, 9, 12, 12, 0),
  Date.UTC(2026, 10, 30, 17, 17),
  Date.UTC(2026, 11, 31, 23, 59),
]

export function compileFormat(lang: string): (date: Date) => string {
  const intl = new Intl.DateTimeFormat(lang, ABSOLUTE_TIME_OPTIONS)
  const viaIntl = (date: Date) => intl.format(date)
  const resolved = intl.resolvedOptions()
  if (resolved.numberingSystem !== 'latn') return viaIntl
  const partOf = (at: number, type: Intl.DateTimeFormatPartTypes) =>
    intl.formatToParts(at).find((part) => part.type === type)?.value ?? ''
  const months = Array.from({ length: 12 }, (_, month) => partOf(Date.UTC(2024, month, 15, 13, 0), 'month'))
  const am = partOf(Date.UTC(2024, 0, 15, 1, 0), 'dayPeriod')
  const pm = partOf(Date.UTC(2024, 0, 15, 13, 0), 'dayPeriod')
  const hour = hourOf(resolved.hourCycle)
  const pieces: Piece[] = []
  for (const part of intl.formatToParts(SAMPLES[0])) {
    switch (part.type) {
      case 'literal':
      case 'timeZoneName':
        pieces.push(part.value)
        break
      case 'year':
        pieces.push((d) => String(d.getUTCFullYear()))
        break
      case 'month':
        pieces.push((d) => months[d.getUTCMonth()]!)
        break
      case 'day':
        pieces.push((d) => String(d.getUTCDate()))
        break
      case 'hour':
        pieces.push(hour)
        break
      case 'minute':
        pieces.push((d) => String(d.getUTCMinutes()).padStart(2, '0'))
        break
      case 'dayPeriod':
        pieces.push((d) => (d.getUTCHours() < 12 ? am : pm))
        break
      default:
        return viaIntl
    }
  }
  const compiled = (date: Date) => {
    let text = ''
    for (const piece of pieces) text += typeof piece === 'string' ? piece : piece(date)
    return text
  }
  return SAMPLES.every((at) => compiled(new Date(at)) === intl.format(at)) ? compiled : viaIntl
}

function hourOf(cycle: string | undefined): (date: Date) => string {
  switch (cycle) {
    case 'h11':
      return (d) => String(d.getUTCHours() % 12)
    case 'h12':
      return (d) => String(d.getUTCHours() % 12 || 12)
    case 'h24':
      return (d) => String(d.getUTCHours() || 24)
    default:
      return (d) => String(d.getUTCHours())
  }
}
