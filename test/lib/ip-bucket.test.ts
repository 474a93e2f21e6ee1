import { describe, expect, it } from 'vitest'
import { ipBucket } from '../../src/lib/ip-bucket'

describe('ipBucket', () => {
  it('keeps an IPv4 address as its own bucket', () => {
    expect(ipBucket('192.0.2.7')).toBe('192.0.2.7')
    expect(ipBucket('192.0.2.8')).not.toBe(ipBucket('192.0.2.7'))
  })

  it('puts every address of one IPv6 /64 in one bucket, however it is written', () => {
    const bucket = ipBucket('2001:db8:1:2::1')
    expect(bucket).toBe('2001:db8:1:2::/64')
    expect(ipBucket('2001:0DB8:0001:0002:ffff:ffff:ffff:fffe')).toBe(bucket)
    expect(ipBucket('2001:db8:1:2:0:0:0:99')).toBe(bucket)
    expect(ipBucket('2001:db8:1:3::1')).not.toBe(bucket)
    expect(ipBucket('::1')).toBe('0:0:0:0::/64')
  })

  it('reads IPv4-mapped IPv6 as the IPv4 address', () => {
    expect(ipBucket('::ffff:192.0.2.7')).toBe('192.0.2.7')
    expect(ipBucket('::ffff:c000:207')).toBe('192.0.2.7')
  })

  it('keeps something that does not parse as one bucket of its own', () => {
    expect(ipBucket('unknown')).toBe('unknown')
    expect(ipBucket('1::2::3')).toBe('1::2::3')
  })
})
