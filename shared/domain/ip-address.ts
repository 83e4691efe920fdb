/**
 * Which IP addresses a webhook may be delivered to (contract section 9: never private, loopback or
 * link-local). Addresses are parsed to numbers, not matched as text, so every spelling of an
 * address (IPv4-mapped `::ffff:a9fe:a9fe`, IPv4-compatible `::7f00:1`, NAT64 `64:ff9b::7f00:1`,
 * 6to4 `2002:7f00:1::`) is judged by the IPv4 address it carries.
 *
 * Special-use ranges: the IANA IPv4 and IPv6 Special-Purpose Address Registries (RFC 6890 and
 * successors), plus multicast and the reserved/deprecated blocks. Anything not globally reachable is
 * refused; where a registry block is partly reachable (2001::/23) the whole block is refused, since
 * no enterprise receiver lives there.
 */
import { isIP } from 'node:net';

/** Why an address may not receive a webhook (a class name), or undefined when it is public. */
export type AddressClass = string;

type V4Range = [base: number, bits: number, name: string];
const v4 = (dotted: string) => dotted.split('.').reduce((n, part) => n * 256 + Number(part), 0);
const V4_SPECIAL: V4Range[] = [
  [v4('0.0.0.0'), 8, 'this network'],
  [v4('10.0.0.0'), 8, 'private'],
  [v4('100.64.0.0'), 10, 'shared address space (CGNAT)'],
  [v4('127.0.0.0'), 8, 'loopback'],
  [v4('169.254.0.0'), 16, 'link-local'],
  [v4('172.16.0.0'), 12, 'private'],
  [v4('192.0.0.0'), 24, 'IETF protocol assignments'],
  [v4('192.0.2.0'), 24, 'documentation'],
  [v4('192.31.196.0'), 24, 'AS112'],
  [v4('192.52.193.0'), 24, 'AMT'],
  [v4('192.88.99.0'), 24, '6to4 relay anycast'],
  [v4('192.168.0.0'), 16, 'private'],
  [v4('192.175.48.0'), 24, 'AS112'],
  [v4('198.18.0.0'), 15, 'benchmarking'],
  [v4('198.51.100.0'), 24, 'documentation'],
  [v4('203.0.113.0'), 24, 'documentation'],
  [v4('224.0.0.0'), 4, 'multicast'],
  [v4('240.0.0.0'), 4, 'reserved'],
];

function inV4(address: number, base: number, bits: number): boolean {
  const size = 2 ** (32 - bits);
  return address >= base && address < base + size;
}

function classifyV4(address: number): AddressClass | undefined {
  for (const [base, bits, name] of V4_SPECIAL) if (inV4(address, base, bits)) return name;
  return undefined;
}

/** The eight 16-bit groups of an IPv6 address (no brackets, no zone), or undefined. */
export function ipv6Groups(address: string): number[] | undefined {
  let text = address.toLowerCase();
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  if (isIP(text) !== 6) return undefined;
  // A trailing dotted IPv4 part (`::ffff:127.0.0.1`) becomes its two hex groups.
  const lastColon = text.lastIndexOf(':');
  const last = text.slice(lastColon + 1);
  if (last.includes('.')) {
    const n = v4(last);
    text = `${text.slice(0, lastColon + 1)}${Math.floor(n / 65536).toString(16)}:${(n % 65536).toString(16)}`;
  }
  const parse = (s: string) => (s ? s.split(':').map((g) => parseInt(g, 16)) : []);
  const halves = text.split('::');
  if (halves.length === 1) return parse(text);
  const left = parse(halves[0]!);
  const right = parse(halves[1]!);
  return [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
}

const embeddedV4 = (hi: number, lo: number) => hi * 65536 + lo;

function classifyV6(g: number[]): AddressClass | undefined {
  const [a, b, c, d, e, f, h, i] = g as [number, number, number, number, number, number, number, number];
  const firstFiveZero = a === 0 && b === 0 && c === 0 && d === 0 && e === 0;
  if (firstFiveZero && f === 0 && h === 0 && i === 0) return 'unspecified';
  if (firstFiveZero && f === 0 && h === 0 && i === 1) return 'loopback';
  // ::ffff:a.b.c.d (IPv4-mapped) and ::ffff:0:a.b.c.d (IPv4-translated): the IPv4 address decides.
  if (firstFiveZero && f === 0xffff) return classifyV4(embeddedV4(h, i));
  if (a === 0 && b === 0 && c === 0 && d === 0 && e === 0xffff && f === 0) return classifyV4(embeddedV4(h, i));
  // ::a.b.c.d (IPv4-compatible, deprecated by RFC 4291): never routed today.
  if (firstFiveZero && f === 0) return 'IPv4-compatible (deprecated)';
  // 64:ff9b::/96 well-known NAT64 prefix: reaches the IPv4 address it embeds.
  if (a === 0x64 && b === 0xff9b && c === 0 && d === 0 && e === 0 && f === 0) {
    const inner = classifyV4(embeddedV4(h, i));
    return inner ? `NAT64 of ${inner}` : undefined;
  }
  if (a === 0x64 && b === 0xff9b && c === 1) return 'local-use NAT64';
  if (a === 0x100 && b === 0 && c === 0 && d === 0) return 'discard-only';
  if (a === 0x2001 && b < 0x200) return 'IETF protocol assignments (Teredo, ORCHID, benchmarking)';
  if (a === 0x2001 && b === 0xdb8) return 'documentation';
  // 2002::/16 6to4: the IPv4 address is in bits 16..47.
  if (a === 0x2002) {
    const inner = classifyV4(embeddedV4(b, c));
    return inner ? `6to4 of ${inner}` : undefined;
  }
  if (a === 0x3fff && b < 0x1000) return 'documentation';
  if (a === 0x5f00) return 'segment routing';
  if ((a & 0xfe00) === 0xfc00) return 'unique local';
  if ((a & 0xffc0) === 0xfe80) return 'link-local';
  if ((a & 0xffc0) === 0xfec0) return 'site-local (deprecated)';
  if ((a & 0xff00) === 0xff00) return 'multicast';
  // Only 2000::/3 is allocated for global unicast; the rest of the space is reserved.
  if ((a & 0xe000) !== 0x2000) return 'reserved (not global unicast)';
  return undefined;
}

/**
 * Why an IP address (v4 dotted, or v6 with or without brackets) may not receive a webhook, or
 * undefined when it is a public unicast address. Not an IP address at all → 'not an IP address'.
 */
export function specialUseClass(address: string): AddressClass | undefined {
  const bare = address.replace(/^\[|\]$/g, '');
  if (isIP(bare) === 4) return classifyV4(v4(bare));
  const groups = ipv6Groups(bare);
  return groups ? classifyV6(groups) : 'not an IP address';
}

export const isPublicAddress = (address: string) => specialUseClass(address) === undefined;

/** Loopback in any spelling: 127.0.0.0/8, ::1, or IPv4-mapped loopback. */
export function isLoopbackAddress(address: string): boolean {
  const cls = specialUseClass(address);
  return cls === 'loopback';
}
