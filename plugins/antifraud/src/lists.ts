import { z } from 'zod';
import type { Features } from './features';
import { IpMatcher, type IpRange, normalizeIp, parseIpRange } from './ip';

/** An entry: a bare value, or a value with an expiry (ISO 8601 with offset, or a Date) and a note. */
const entrySchema = <T extends z.ZodType<string>>(value: T) =>
  z.union([
    value,
    z.strictObject({
      value,
      /** After this instant (by the plugin's clock) the entry no longer matches. */
      expiresAt: z.union([z.iso.datetime({ offset: true }), z.date()]).optional(),
      /** Why it is listed (for people; not used in matching). */
      note: z.string().max(500).optional(),
    }),
  ]);

const ipEntry = z.string().superRefine((v, ctx) => {
  const parsed = parseIpRange(v);
  if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed });
});

const listSetShape = {
  /** Card fingerprints as the cards plugin computes them (HMAC-SHA256 hex). */
  cardFingerprints: z.array(entrySchema(z.string().min(1))).default([]),
  /** Email addresses, compared lowercase. */
  emails: z.array(entrySchema(z.string().min(3).includes('@'))).default([]),
  /** Email domains (`mailinator.com`), compared lowercase; the exact domain only, not subdomains. */
  emailDomains: z.array(entrySchema(z.string().min(1))).default([]),
  /** IPv4 / IPv6 addresses and CIDR ranges (`203.0.113.0/24`, `2001:db8::/32`). */
  ips: z.array(entrySchema(ipEntry)).default([]),
  /** IIN (BIN) prefixes of 1–6 digits, matched against the card's first six digits. */
  iins: z.array(entrySchema(z.string().regex(/^\d{1,6}$/, 'must be 1–6 digits'))).default([]),
};

export const listSetSchema = z.strictObject(listSetShape);
export type ListSetInput = z.input<typeof listSetSchema>;
export type ListSet = z.output<typeof listSetSchema>;
export type ListKind = 'card_fingerprint' | 'email' | 'email_domain' | 'ip' | 'iin';

type Entry = ListSet['emails'][number];

const FOREVER = Number.POSITIVE_INFINITY;

function unpack(entry: Entry): { value: string; expiresAt: number } {
  if (typeof entry === 'string') return { value: entry, expiresAt: FOREVER };
  const { expiresAt } = entry;
  const at = expiresAt === undefined ? FOREVER : new Date(expiresAt).getTime();
  return { value: entry.value, expiresAt: at };
}

/** value → expiry; a value listed twice keeps the later expiry. */
function exactMap(entries: readonly Entry[], normalize: (v: string) => string): Map<string, number> {
  const map = new Map<string, number>();
  for (const e of entries) {
    const { value, expiresAt } = unpack(e);
    const key = normalize(value);
    map.set(key, Math.max(map.get(key) ?? Number.NEGATIVE_INFINITY, expiresAt));
  }
  return map;
}

export interface ListHit {
  kind: ListKind;
  /** What matched (for the reason text): the email, the IP, the IIN prefix, a shortened fingerprint. */
  value: string;
}

/**
 * A compiled allow or block list. Exact values are hash lookups; IPs are node:net BlockLists (via IpMatcher) grouped
 * by expiry (usually one or two groups); IINs are looked up by each prefix of the card's first six.
 */
export class CompiledList {
  readonly #fingerprints: Map<string, number>;
  readonly #emails: Map<string, number>;
  readonly #domains: Map<string, number>;
  readonly #iins: Map<string, number>;
  readonly #ipGroups: { expiresAt: number; matcher: IpMatcher }[];
  readonly size: number;

  constructor(set: ListSet) {
    const lower = (v: string) => v.trim().toLowerCase();
    this.#fingerprints = exactMap(set.cardFingerprints, (v) => v.trim());
    this.#emails = exactMap(set.emails, lower);
    this.#domains = exactMap(set.emailDomains, lower);
    this.#iins = exactMap(set.iins, (v) => v);
    const byExpiry = new Map<number, IpRange[]>();
    for (const e of set.ips) {
      const { value, expiresAt } = unpack(e);
      const ranges = byExpiry.get(expiresAt) ?? [];
      ranges.push(parseIpRange(value) as IpRange);
      byExpiry.set(expiresAt, ranges);
    }
    this.#ipGroups = [...byExpiry].map(([expiresAt, ranges]) => ({
      expiresAt,
      matcher: new IpMatcher(ranges),
    }));
    this.size =
      this.#fingerprints.size + this.#emails.size + this.#domains.size + this.#iins.size + set.ips.length;
  }

  /** The first live entry the features hit, in the order card, email, domain, IP, IIN. */
  match(f: Features, now: number): ListHit | undefined {
    if (this.size === 0) return undefined;
    const s = f.static;
    const live = (map: Map<string, number>, key: string | number | undefined): boolean =>
      typeof key === 'string' && (map.get(key) ?? Number.NEGATIVE_INFINITY) > now;
    const fingerprint = s['card.fingerprint'];
    if (live(this.#fingerprints, fingerprint)) {
      return { kind: 'card_fingerprint', value: `${String(fingerprint).slice(0, 12)}…` };
    }
    const email = s['customer.email'];
    if (live(this.#emails, email)) return { kind: 'email', value: String(email) };
    const domain = s['customer.email_domain'];
    if (live(this.#domains, domain)) return { kind: 'email_domain', value: String(domain) };
    const ipText = s['client.ip'];
    if (typeof ipText === 'string' && this.#ipGroups.length > 0) {
      const ip = normalizeIp(ipText);
      if (ip && this.#ipGroups.some((g) => g.expiresAt > now && g.matcher.has(ip))) {
        return { kind: 'ip', value: ip.address };
      }
    }
    const first6 = s['card.first6'];
    if (typeof first6 === 'string' && this.#iins.size > 0) {
      for (let len = Math.min(6, first6.length); len >= 1; len--) {
        const prefix = first6.slice(0, len);
        if (live(this.#iins, prefix)) return { kind: 'iin', value: prefix };
      }
    }
    return undefined;
  }
}
