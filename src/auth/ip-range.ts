/** An address range: an IPv6 address as a 128-bit number (IPv4 mapped into `::ffff:0:0/96`) and a prefix. */
export interface IpRange {
  readonly network: bigint;
  readonly prefix: number;
}

const IPV4_MAPPED = 0xffffn << 32n;

/**
 * Parses `'203.0.113.0/24'`, `'2001:db8::/32'` or a single address into a range; `undefined` when it
 * is not one. IPv4 is mapped into IPv6, so `::ffff:203.0.113.7` and `203.0.113.7` are the same address.
 */
export function parseIpRange(text: string): IpRange | undefined {
  const [address = '', prefixText, extra] = text.trim().split('/');
  if (extra !== undefined) return undefined;
  const parsed = parseIp(address);
  if (parsed === undefined) return undefined;
  const bits = parsed.v4 ? 32 : 128;
  const prefix = prefixText === undefined ? bits : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
  if (!(prefix >= 0 && prefix <= bits)) return undefined;
  const prefix128 = parsed.v4 ? prefix + 96 : prefix;
  return { network: parsed.value & mask(prefix128), prefix: prefix128 };
}

/** Whether `address` (IPv4, IPv6 or IPv4-mapped IPv6) lies in any of `ranges`. */
export function inRanges(address: string, ranges: readonly IpRange[]): boolean {
  const parsed = parseIp(address);
  if (parsed === undefined) return false;
  return ranges.some((range) => (parsed.value & mask(range.prefix)) === range.network);
}

function mask(prefix: number): bigint {
  return prefix === 0 ? 0n : ((1n << 128n) - 1n) ^ ((1n << BigInt(128 - prefix)) - 1n);
}

function parseIp(text: string): { value: bigint; v4: boolean } | undefined {
  // A zone (fe80::1%eth0) names an interface, not part of the address.
  const address = text.split('%')[0] ?? '';
  const v4 = parseIpv4(address);
  if (v4 !== undefined) return { value: IPV4_MAPPED | v4, v4: true };
  const v6 = parseIpv6(address);
  return v6 === undefined ? undefined : { value: v6, v4: false };
}

function parseIpv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return undefined;
    value = (value << 8n) | BigInt(part);
  }
  return value;
}

function parseIpv6(text: string): bigint | undefined {
  if (!text.includes(':')) return undefined;
  let groups: string[];
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  // A trailing dotted quad (::ffff:1.2.3.4) is two groups.
  const expand = (part: string): string[] | undefined => {
    if (part === '') return [];
    const pieces = part.split(':');
    const last = pieces.at(-1) ?? '';
    if (last.includes('.')) {
      const v4 = parseIpv4(last);
      if (v4 === undefined) return undefined;
      pieces.splice(-1, 1, ((v4 >> 16n) & 0xffffn).toString(16), (v4 & 0xffffn).toString(16));
    }
    return pieces;
  };
  const head = expand(halves[0] ?? '');
  const tail = halves.length === 2 ? expand(halves[1] ?? '') : [];
  if (head === undefined || tail === undefined) return undefined;
  if (halves.length === 2) {
    const missing = 8 - head.length - tail.length;
    if (missing < 1) return undefined;
    groups = [...head, ...Array<string>(missing).fill('0'), ...tail];
  } else {
    groups = head;
  }
  if (groups.length !== 8) return undefined;
  let value = 0n;
  for (const group of groups) {
    if (!/^[0-9a-f]{1,4}$/i.test(group)) return undefined;
    value = (value << 16n) | BigInt(parseInt(group, 16));
  }
  return value;
}
