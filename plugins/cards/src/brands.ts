/**
 * Card brands by IIN (BIN) prefix, from braintree/credit-card-type 10.3.0 `src/lib/card-types.ts`
 * (see ../../../shared/protocols/cards.md §5). A pattern is a prefix (`'4'`) or an inclusive range of
 * prefixes of equal length (`[2221, 2720]`). Matching is longest-prefix, as in credit-card-type.
 */
export type CardBrand =
  | 'visa'
  | 'mastercard'
  | 'amex'
  | 'diners'
  | 'discover'
  | 'jcb'
  | 'unionpay'
  | 'maestro'
  | 'mir';

type Pattern = string | readonly [number, number];

export interface BrandInfo {
  brand: CardBrand;
  /** Display name. */
  name: string;
  patterns: readonly Pattern[];
  /** Allowed PAN lengths. */
  lengths: readonly number[];
  /** Security code: its brand-specific name and length. */
  code: { name: string; size: number };
}

const range = (from: number, to: number): Pattern => [from, to] as const;
const lengthsFrom = (min: number, max: number): number[] =>
  Array.from({ length: max - min + 1 }, (_, i) => min + i);

export const CARD_BRANDS: readonly BrandInfo[] = [
  { brand: 'visa', name: 'Visa', patterns: ['4'], lengths: [16, 18, 19], code: { name: 'CVV', size: 3 } },
  {
    brand: 'mastercard',
    name: 'Mastercard',
    // 2221–2720 written as credit-card-type does: 2221–2229, 223–229, 23–26, 270–271, 2720.
    patterns: [range(51, 55), range(2221, 2229), range(223, 229), range(23, 26), range(270, 271), '2720'],
    lengths: [16],
    code: { name: 'CVC', size: 3 },
  },
  {
    brand: 'amex',
    name: 'American Express',
    patterns: ['34', '37'],
    lengths: [15],
    code: { name: 'CID', size: 4 },
  },
  {
    brand: 'diners',
    name: 'Diners Club',
    patterns: [range(300, 305), '36', '38', '39'],
    lengths: [14, 16, 19],
    code: { name: 'CVV', size: 3 },
  },
  {
    brand: 'discover',
    name: 'Discover',
    patterns: ['6011', range(644, 649), '65'],
    lengths: [16, 19],
    code: { name: 'CID', size: 3 },
  },
  {
    brand: 'jcb',
    name: 'JCB',
    patterns: ['2131', '1800', range(3528, 3589)],
    lengths: lengthsFrom(16, 19),
    code: { name: 'CVV', size: 3 },
  },
  {
    brand: 'unionpay',
    name: 'UnionPay',
    patterns: [
      '620',
      range(62100, 62182),
      range(62184, 62187),
      range(62185, 62197),
      range(62200, 62205),
      range(622010, 622999),
      '622018',
      range(62207, 62209),
      range(623, 626),
      '6270',
      '6272',
      '6276',
      range(627700, 627779),
      range(627781, 627799),
      range(6282, 6289),
      '6291',
      '6292',
      '810',
      range(8110, 8131),
      range(8132, 8151),
      range(8152, 8163),
      range(8164, 8171),
    ],
    lengths: lengthsFrom(14, 19),
    code: { name: 'CVN', size: 3 },
  },
  {
    brand: 'maestro',
    name: 'Maestro',
    patterns: [
      '493698',
      range(500000, 504174),
      range(504176, 506698),
      range(506779, 508999),
      range(56, 59),
      '63',
      '67',
      '6',
    ],
    lengths: lengthsFrom(12, 19),
    code: { name: 'CVC', size: 3 },
  },
  {
    brand: 'mir',
    name: 'Mir',
    patterns: [range(2200, 2204)],
    lengths: lengthsFrom(16, 19),
    code: { name: 'CVP2', size: 3 },
  },
];

const BY_BRAND = new Map(CARD_BRANDS.map((b) => [b.brand, b]));

export function brandInfo(brand: CardBrand): BrandInfo {
  return BY_BRAND.get(brand)!;
}

/**
 * How strongly `digits` matches one pattern: the pattern's length when `digits` is at least that long
 * and starts with it (a full match), 0 when `digits` is a shorter prefix of some value of the pattern
 * (a partial match), and undefined when it cannot match.
 */
function matchStrength(digits: string, pattern: Pattern): number | undefined {
  if (typeof pattern === 'string') {
    if (digits.length >= pattern.length) return digits.startsWith(pattern) ? pattern.length : undefined;
    return pattern.startsWith(digits) ? 0 : undefined;
  }
  const [from, to] = pattern;
  const size = String(from).length;
  if (digits.length >= size) {
    const head = Number(digits.slice(0, size));
    return head >= from && head <= to ? size : undefined;
  }
  // A partial input matches a range if it is a prefix of any value in it.
  const low = Number(digits.padEnd(size, '0'));
  const high = Number(digits.padEnd(size, '9'));
  return high >= from && low <= to ? 0 : undefined;
}

export interface BrandMatch {
  brand: CardBrand;
  /** Length of the matched prefix; 0 when the input is still too short to tell. */
  strength: number;
}

/**
 * The brands an input (possibly partial, digits only) can belong to, as credit-card-type answers:
 * when every candidate matched a full prefix, only the longest match is returned; otherwise all
 * candidates are (an ambiguous partial input such as "2" gives mastercard, jcb and mir).
 */
export function brandsForPrefix(digits: string): CardBrand[] {
  if (digits === '') return CARD_BRANDS.map((b) => b.brand);
  if (!/^\d+$/.test(digits)) return [];
  const matches: BrandMatch[] = [];
  for (const info of CARD_BRANDS) {
    let best: number | undefined;
    for (const pattern of info.patterns) {
      const strength = matchStrength(digits, pattern);
      if (strength !== undefined && (best === undefined || strength > best)) best = strength;
    }
    if (best !== undefined) matches.push({ brand: info.brand, strength: best });
  }
  if (matches.length > 0 && matches.every((m) => m.strength > 0)) {
    const top = matches.reduce((a, b) => (b.strength > a.strength ? b : a));
    return [top.brand];
  }
  return matches.map((m) => m.brand);
}

/** The brand of a complete card number (longest-prefix match), or undefined if no brand matches. */
export function brandOf(pan: string): CardBrand | undefined {
  const found = brandsForPrefix(pan);
  return found.length === 1 ? found[0] : undefined;
}
