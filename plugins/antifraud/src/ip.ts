import { BlockList, isIP } from 'node:net';

export type IpFamily = 'ipv4' | 'ipv6';

const V4_MAPPED = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;

/**
 * The address as the engine compares it: trimmed, lowercase, and an IPv4-mapped IPv6 address
 * (`::ffff:203.0.113.7`, what a dual-stack socket reports for an IPv4 client) turned into plain IPv4,
 * so that IPv4 rules and lists match it. Undefined when it is not an IP address.
 */
export function normalizeIp(raw: string): { address: string; family: IpFamily } | undefined {
  let address = raw.trim().toLowerCase();
  const mapped = V4_MAPPED.exec(address);
  if (mapped?.[1]) address = mapped[1];
  const version = isIP(address);
  if (version === 4) return { address, family: 'ipv4' };
  if (version === 6) return { address, family: 'ipv6' };
  return undefined;
}

/** A parsed address or range: `203.0.113.7`, `203.0.113.0/24`, `2001:db8::/32`. */
export interface IpRange {
  address: string;
  family: IpFamily;
  prefix: number;
}

/** Parses an address or CIDR range; a message for the schema when it is not one. */
export function parseIpRange(text: string): IpRange | string {
  const [addressPart = '', prefixPart, extra] = text.split('/');
  if (extra !== undefined) return `"${text}" is not an IP address or CIDR range`;
  const ip = normalizeIp(addressPart);
  if (!ip) return `"${text}" is not an IP address or CIDR range`;
  const max = ip.family === 'ipv4' ? 32 : 128;
  if (prefixPart === undefined) return { ...ip, prefix: max };
  if (!/^\d{1,3}$/.test(prefixPart) || Number(prefixPart) > max) {
    return `"${text}" has an invalid prefix length (0–${max} for ${ip.family === 'ipv4' ? 'IPv4' : 'IPv6'})`;
  }
  return { ...ip, prefix: Number(prefixPart) };
}

/** IPv4 text (already validated) to an unsigned 32-bit integer. */
function v4ToInt(address: string): number {
  const [a = 0, b = 0, c = 0, d = 0] = address.split('.').map(Number);
  return ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
}

/** IPv6 text (already validated by isIP) to a 128-bit BigInt; handles `::` and an IPv4 tail. */
function v6ToBigInt(address: string): bigint {
  const groupsOf = (part: string): number[] => {
    if (part === '') return [];
    return part.split(':').flatMap((g) => {
      if (g.includes('.')) {
        const n = v4ToInt(g);
        return [n >>> 16, n & 0xffff];
      }
      return [Number.parseInt(g, 16)];
    });
  };
  const [head = '', tail] = address.split('::');
  const left = groupsOf(head);
  const right = tail === undefined ? [] : groupsOf(tail);
  const groups = [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  let value = 0n;
  for (const g of groups) value = (value << 16n) | BigInt(g);
  return value;
}

/**
 * Hash index of ranges by prefix length: a lookup masks the address once per distinct prefix length
 * (at most 33 / 129) instead of scanning every range, which node's BlockList does. Used for large lists.
 */
class PrefixIndex<N extends number | bigint> {
  readonly #byPrefix = new Map<number, Set<N>>();
  #prefixes: number[] = [];

  readonly #network: (address: string, prefix: number) => N;

  constructor(network: (address: string, prefix: number) => N) {
    this.#network = network;
  }

  add(range: IpRange): void {
    let set = this.#byPrefix.get(range.prefix);
    if (!set) {
      set = new Set();
      this.#byPrefix.set(range.prefix, set);
      this.#prefixes = [...this.#byPrefix.keys()].sort((a, b) => a - b);
    }
    set.add(this.#network(range.address, range.prefix));
  }

  has(address: string): boolean {
    for (const prefix of this.#prefixes) {
      if (this.#byPrefix.get(prefix)?.has(this.#network(address, prefix))) return true;
    }
    return false;
  }
}

const v4Network = (address: string, prefix: number): number =>
  prefix === 0 ? 0 : v4ToInt(address) >>> (32 - prefix);
const v6Network = (address: string, prefix: number): bigint => v6ToBigInt(address) >> BigInt(128 - prefix);

/** Up to this many ranges per family a node:net BlockList (a linear scan) is used; past it, the index. */
export const BLOCKLIST_MAX_RANGES = 32;

interface FamilyMatcher {
  has(address: string): boolean;
}

function familyMatcher(ranges: readonly IpRange[], family: IpFamily): FamilyMatcher | undefined {
  if (ranges.length === 0) return undefined;
  if (ranges.length <= BLOCKLIST_MAX_RANGES) {
    const list = new BlockList();
    for (const r of ranges) list.addSubnet(r.address, r.prefix, family);
    return { has: (address) => list.check(address, family) };
  }
  const index = family === 'ipv4' ? new PrefixIndex<number>(v4Network) : new PrefixIndex<bigint>(v6Network);
  for (const r of ranges) index.add(r);
  return index;
}

/**
 * Matches addresses against IPv4 and IPv6 ranges, each family apart: node's BlockList would match an
 * IPv4 address against an IPv6 rule through its IPv4-mapped form (so `::/0` would catch every IPv4
 * client); here an IPv6 range means IPv6 clients only, and IPv4-mapped clients are already plain IPv4
 * after `normalizeIp`, so IPv4 ranges catch them. Small lists use node:net BlockList; lists of more
 * than BLOCKLIST_MAX_RANGES ranges per family use a prefix-length hash index (BlockList scans every
 * rule on each check; a property test holds the two to the same answers).
 */
export class IpMatcher {
  readonly #v4: FamilyMatcher | undefined;
  readonly #v6: FamilyMatcher | undefined;

  constructor(ranges: readonly IpRange[], options: { forceIndex?: boolean } = {}) {
    const v4 = ranges.filter((r) => r.family === 'ipv4');
    const v6 = ranges.filter((r) => r.family === 'ipv6');
    if (options.forceIndex) {
      const i4 = new PrefixIndex<number>(v4Network);
      const i6 = new PrefixIndex<bigint>(v6Network);
      for (const r of v4) i4.add(r);
      for (const r of v6) i6.add(r);
      this.#v4 = i4;
      this.#v6 = i6;
    } else {
      this.#v4 = familyMatcher(v4, 'ipv4');
      this.#v6 = familyMatcher(v6, 'ipv6');
    }
  }

  /** Whether a normalised address is in one of the ranges. */
  has(ip: { address: string; family: IpFamily }): boolean {
    const matcher = ip.family === 'ipv4' ? this.#v4 : this.#v6;
    return matcher?.has(ip.address) ?? false;
  }
}
