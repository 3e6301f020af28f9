import { inRanges, parseIpRange } from '../../src/auth/ip-range';

const ranges = ['203.0.113.0/24', '2001:db8::/32', '10.1.2.3', '::1'].map((text) => parseIpRange(text)!);

describe('IP ranges', () => {
  it.each([
    ['203.0.113.7', true],
    ['203.0.114.1', false],
    ['::ffff:203.0.113.9', true],
    ['::ffff:cb00:7109', true],
    ['2001:db8:1::5', true],
    ['2001:0db8:0000:0000:0000:0000:0000:0001', true],
    ['2001:db9::1', false],
    ['10.1.2.3', true],
    ['10.1.2.4', false],
    ['::1', true],
    ['::2', false],
    ['not an address', false],
    ['', false],
  ])('%s is in the allowlist: %s', (address, expected) => {
    expect(inRanges(address, ranges)).toBe(expected);
  });

  it.each(['1.2.3.4/33', '1.2.3', '256.1.1.1', '2001:db8::/129', ':::', '1::2::3', 'fe80::/x', '10.0.0.0/8/8', 'a.b.c.d'])(
    'refuses %p as a range',
    (text) => {
      expect(parseIpRange(text)).toBeUndefined();
    },
  );

  it('accepts everything with /0 and matches IPv4 given as IPv4-mapped IPv6 ranges', () => {
    expect(inRanges('198.51.100.1', [parseIpRange('0.0.0.0/0')!])).toBe(true);
    expect(inRanges('2001:db8::1', [parseIpRange('::/0')!])).toBe(true);
    expect(inRanges('198.51.100.1', [parseIpRange('::ffff:198.51.100.0/120')!])).toBe(true);
  });
});
