import { BlockList } from 'node:net';
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { IpMatcher, type IpRange, normalizeIp, parseIpRange } from './ip';

const range = (text: string) => parseIpRange(text) as IpRange;

describe('ip', () => {
  it('normalises addresses', () => {
    expect(normalizeIp(' 203.0.113.7 ')).toEqual({ address: '203.0.113.7', family: 'ipv4' });
    expect(normalizeIp('::FFFF:203.0.113.7')).toEqual({ address: '203.0.113.7', family: 'ipv4' });
    expect(normalizeIp('2001:DB8::1')).toEqual({ address: '2001:db8::1', family: 'ipv6' });
    expect(normalizeIp('example.com')).toBeUndefined();
    expect(normalizeIp('1.2.3.256')).toBeUndefined();
  });

  it('parses ranges and single addresses', () => {
    expect(parseIpRange('10.0.0.0/8')).toEqual({ address: '10.0.0.0', family: 'ipv4', prefix: 8 });
    expect(parseIpRange('2001:db8::1')).toEqual({ address: '2001:db8::1', family: 'ipv6', prefix: 128 });
    expect(parseIpRange('10.0.0.0/8/9')).toMatch(/not an IP address/);
    expect(parseIpRange('10.0.0.0/x')).toMatch(/invalid prefix length/);
  });

  it('the prefix index handles ::, IPv4 tails and /0', () => {
    const index = new IpMatcher([range('::/0'), range('0.0.0.0/0')], { forceIndex: true });
    expect(index.has({ address: '::1', family: 'ipv6' })).toBe(true);
    expect(index.has({ address: '8.8.8.8', family: 'ipv4' })).toBe(true);
    const tail = new IpMatcher([range('64:ff9b::192.0.2.0/120')], { forceIndex: true });
    expect(tail.has({ address: '64:ff9b::c000:2ff', family: 'ipv6' })).toBe(true);
    expect(tail.has({ address: '64:ff9b::c000:300', family: 'ipv6' })).toBe(false);
  });

  const v4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((p) => p.join('.'));
  const v6 = fc.ipV6();

  test.prop(
    [
      fc.array(fc.tuple(v4, fc.integer({ min: 0, max: 32 })), { maxLength: 20 }),
      fc.array(fc.tuple(v6, fc.integer({ min: 0, max: 128 })), { maxLength: 20 }),
      fc.array(fc.oneof(v4, v6), { minLength: 1, maxLength: 20 }),
    ],
    { numRuns: 300 },
  )('the prefix index answers like node:net BlockList', (ranges4, ranges6, addresses) => {
    // An IPv4-mapped IPv6 range parses as IPv4 (and fails with a long prefix): keep only clean ranges.
    const ranges = [...ranges4, ...ranges6]
      .map(([a, p]) => parseIpRange(`${a}/${p}`))
      .filter((r): r is IpRange => typeof r === 'object');
    const index = new IpMatcher(ranges, { forceIndex: true });
    const v4List = new BlockList();
    const v6List = new BlockList();
    for (const r of ranges) (r.family === 'ipv4' ? v4List : v6List).addSubnet(r.address, r.prefix, r.family);
    for (const text of addresses) {
      const ip = normalizeIp(text);
      if (!ip) continue;
      const expected =
        ip.family === 'ipv4' ? v4List.check(ip.address, 'ipv4') : v6List.check(ip.address, 'ipv6');
      expect(index.has(ip), `${text} in ${ranges.map((r) => `${r.address}/${r.prefix}`).join(', ')}`).toBe(
        expected,
      );
    }
  });
});
