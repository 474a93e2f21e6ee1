/** The client's address as Cloudflare reports it. Count limits against `ipBucket()` of it. */
export function clientIp(header: (name: string) => string | undefined): string {
  return header('CF-Connecting-IP') ?? 'unknown'
}

/**
 * The address a per-IP rate limit counts against. An IPv4 address is its own bucket; an
 * IPv6 client is given a whole /64 (one home or one server gets at least that many
 * addresses), so its bucket is the first four hextets — otherwise one client could rotate
 * through 2^64 addresses and get a fresh budget with each. IPv4-mapped IPv6 addresses
 * (`::ffff:192.0.2.1`) count as the IPv4 address they carry. Anything that does not parse
 * is used as it is (lower-cased), so a malformed header still lands in one bucket.
 */
export function ipBucket(address: string): string {
  const ip = address.trim().toLowerCase()
  if (!ip.includes(':')) return ip
  const hextets = expandIpv6(ip)
  if (!hextets) return ip
  if (hextets.slice(0, 5).every((h) => h === 0) && hextets[5] === 0xffff) {
    const [a, b] = [hextets[6]!, hextets[7]!]
    return `${a >> 8}.${a & 0xff}.${b >> 8}.${b & 0xff}`
  }
  return `${hextets
    .slice(0, 4)
    .map((h) => h.toString(16))
    .join(':')}::/64`
}

/** Eight 16-bit groups of an IPv6 address (with `::` and a dotted IPv4 tail), or null. */
function expandIpv6(ip: string): number[] | null {
  const withoutZone = ip.split('%')[0]!
  let text = withoutZone
  // A dotted IPv4 tail (`::ffff:1.2.3.4`) becomes two hextets.
  const v4 = /(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text)
  if (v4) {
    const bytes = v4.slice(1).map(Number)
    if (bytes.some((n) => n > 255)) return null
    text = `${text.slice(0, v4.index)}${((bytes[0]! << 8) | bytes[1]!).toString(16)}:${((bytes[2]! << 8) | bytes[3]!).toString(16)}`
  }
  const halves = text.split('::')
  if (halves.length > 2) return null
  const parse = (part: string) => (part === '' ? [] : part.split(':'))
  const head = parse(halves[0]!)
  const tail = halves.length === 2 ? parse(halves[1]!) : []
  const missing = 8 - head.length - tail.length
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail]
  if (groups.some((g) => !/^[0-9a-f]{1,4}$/.test(g))) return null
  return groups.map((g) => parseInt(g, 16))
}
