import { describe, expect, it } from 'vitest';
import { addressGroup } from './address-group.ts';

describe('addressGroup', () => {
  it('regression: every IPv6 address of one /64 was a counter of its own', () => {
    const group = addressGroup('2001:db8:1:2::1');
    expect(group).toBe('2001:db8:1:2::/64');
    for (const a of ['2001:db8:1:2:ffff:ffff:ffff:ffff', '2001:0DB8:0001:0002:a:b:c:d', '2001:db8:1:2::', '2001:db8:1:2:0:0:1.2.3.4'])
      expect(addressGroup(a)).toBe(group);
    expect(addressGroup('2001:db8:1:3::1')).toBe('2001:db8:1:3::/64');
    expect(addressGroup('::1')).toBe('0:0:0:0::/64');
    expect(addressGroup('fe80::1%eth0')).toBe(addressGroup('fe80::2'));
  });

  it('regression: 10.9.9.9 and ::ffff:10.9.9.9 were two counters', () => {
    for (const a of ['10.9.9.9', '::ffff:10.9.9.9', '::FFFF:10.9.9.9', '::ffff:a09:909', '0:0:0:0:0:ffff:0a09:0909']) expect(addressGroup(a)).toBe('10.9.9.9');
    expect(addressGroup('10.9.9.10')).toBe('10.9.9.10');
    // Not mapped: ::10.9.9.9 (IPv4-compatible, long deprecated) and 64:ff9b::/96 (NAT64) stay IPv6.
    expect(addressGroup('::10.9.9.9')).toBe('0:0:0:0::/64');
    expect(addressGroup('64:ff9b::a09:909')).toBe('64:ff9b:0:0::/64');
  });

  it('anything that is not an address is a bounded group of its own', () => {
    const long = addressGroup('x'.repeat(10_000));
    expect(long).toMatch(/^other:[0-9a-f]{32}$/);
    expect(addressGroup('unknown')).not.toBe(long);
    expect(addressGroup('unknown')).toBe(addressGroup(' unknown '));
  });
});
