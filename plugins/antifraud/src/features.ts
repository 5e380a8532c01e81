import type { AntifraudInput } from '@payrail/core';
import { DURATION_PATTERN, parseDuration } from './duration';
import { normalizeIp } from './ip';

export type FeatureType = 'number' | 'string';

/**
 * Every feature a rule can test, with its type. Strings are normalised as noted so that rule values
 * compare without surprises (rule values of these fields are normalised the same way at compile time).
 */
export const STATIC_FEATURES = {
  /** `pre_authorization` or `pre_refund`. */
  stage: 'string',
  /** Amount in minor units (kopecks, cents). Compare it together with `payment.currency`. */
  'payment.amount': 'number',
  /** ISO 4217, uppercase. */
  'payment.currency': 'string',
  'payment.method': 'string',
  /** `test` or `live`. */
  'payment.mode': 'string',
  /** `automatic` or `manual`. */
  'payment.capture_method': 'string',
  'payment.merchant_id': 'string',
  /** The merchant's own customer id, when the payment carries one. */
  'customer.id': 'string',
  /** Lowercase, trimmed. */
  'customer.email': 'string',
  /** Lowercase part after the last `@`. */
  'customer.email_domain': 'string',
  'customer.phone': 'string',
  /** ISO 3166 alpha-2, uppercase, when the payment's customer carries a `country`. */
  'customer.country': 'string',
  /** Normalised: lowercase, IPv4-mapped IPv6 turned into IPv4. */
  'client.ip': 'string',
  'client.user_agent': 'string',
  /** ISO 3166-1 alpha-2 of the buyer's IP, as the merchant supplied it on the payment (no geo lookup). */
  'client.country': 'string',
  /** ISO 3166-1 alpha-2 billing country supplied on the payment. */
  'billing.country': 'string',
  /** Lowercase (`visa`, `mastercard`, `mir`). */
  'card.brand': 'string',
  /** The IIN / BIN: first six digits. */
  'card.first6': 'string',
  'card.last4': 'string',
  'card.fingerprint': 'string',
  /** Issuing country, uppercase, when the card display carries a `country`. */
  'card.country': 'string',
  /** Issuing country of the IIN: `card.country`, else the longest prefix of `iinCountries`. */
  'card.iin_country': 'string',
  /** How many different countries the IIN, IP and billing countries that are known name (1: all agree). */
  'geo.countries': 'number',
  /** 1 when the IIN country and the IP country are both known and differ, 0 when they agree. */
  'geo.card_ip_mismatch': 'number',
  /** 1 when the IIN country and the billing country are both known and differ, 0 when they agree. */
  'geo.card_billing_mismatch': 'number',
  /** 1 when the IP country and the billing country are both known and differ, 0 when they agree. */
  'geo.ip_billing_mismatch': 'number',
} as const satisfies Record<string, FeatureType>;

export type StaticFeature = keyof typeof STATIC_FEATURES;

export const VELOCITY_DIMENSIONS = ['card', 'email', 'ip', 'customer'] as const;
export type VelocityDimension = (typeof VELOCITY_DIMENSIONS)[number];
/** `cards`: distinct card fingerprints (this payment's included) by IP, email or customer. */
export const VELOCITY_EVENTS = ['payments', 'declines', 'cards'] as const;
export type VelocityEventName = (typeof VELOCITY_EVENTS)[number];

/** `velocity.<card|email|ip|customer>.<payments|declines>.<window>`, e.g. `velocity.card.declines.1h`. */
const VELOCITY_FEATURE = new RegExp(
  `^velocity\\.(${VELOCITY_DIMENSIONS.join('|')})\\.(${VELOCITY_EVENTS.join('|')})\\.(${DURATION_PATTERN.source.slice(1, -1)})$`,
);
/** `payment.metadata.<key>`: any metadata value the merchant sent with the payment. */
const METADATA_FEATURE = /^payment\.metadata\.([A-Za-z0-9_.-]{1,64})$/;

export interface VelocityFeature {
  kind: 'velocity';
  dimension: VelocityDimension;
  event: VelocityEventName;
  windowMs: number;
}

export type FeatureRef =
  | { kind: 'static'; name: StaticFeature; type: FeatureType }
  | { kind: 'metadata'; key: string; type: 'string' }
  | (VelocityFeature & { type: 'number' });

/** What a field name refers to, or undefined for an unknown one. */
export function resolveFeature(name: string): FeatureRef | undefined {
  if (Object.hasOwn(STATIC_FEATURES, name)) {
    const key = name as StaticFeature;
    return { kind: 'static', name: key, type: STATIC_FEATURES[key] };
  }
  const velocity = VELOCITY_FEATURE.exec(name);
  // Distinct cards per card makes no sense: always 1.
  if (velocity && !(velocity[1] === 'card' && velocity[2] === 'cards')) {
    return {
      kind: 'velocity',
      dimension: velocity[1] as VelocityDimension,
      event: velocity[2] as VelocityEventName,
      windowMs: parseDuration(velocity[3] ?? '') ?? 0,
      type: 'number',
    };
  }
  const metadata = METADATA_FEATURE.exec(name);
  if (metadata?.[1]) return { kind: 'metadata', key: metadata[1], type: 'string' };
  return undefined;
}

export const velocityFeatureName = (f: VelocityFeature, window: string): string =>
  `velocity.${f.dimension}.${f.event}.${window}`;

/** How a rule value of this field is normalised, matching `extractFeatures`. */
export function normalizeValue(name: string, value: string): string {
  switch (name) {
    case 'payment.currency':
    case 'customer.country':
    case 'card.country':
    case 'card.iin_country':
    case 'client.country':
    case 'billing.country':
      return value.trim().toUpperCase();
    case 'customer.email':
    case 'customer.email_domain':
    case 'card.brand':
      return value.trim().toLowerCase();
    case 'client.ip':
      return normalizeIp(value)?.address ?? value.trim().toLowerCase();
    default:
      return value;
  }
}

/** The features of one assessment, flat: absent data is simply absent. */
export interface Features {
  static: Partial<Record<StaticFeature, string | number>>;
  metadata: Record<string, string>;
  /** Velocity counts by `dimension|event|windowMs`, filled only for what the rules use. */
  velocity: Map<string, number>;
  /** The normalised keys velocity is counted by. */
  keys: Partial<Record<VelocityDimension, string>>;
}

export const velocitySlot = (f: VelocityFeature): string => `${f.dimension}|${f.event}|${f.windowMs}`;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

/** The issuing country of an IIN (first six digits), or undefined when unknown. */
export type IinCountryLookup = (first6: string) => string | undefined;

/**
 * Reads and normalises the features of an assessment input (velocity is filled in by the engine).
 * `iinCountry` names the card's country when the card display carries none.
 */
export function extractFeatures(input: AntifraudInput, iinCountry?: IinCountryLookup): Features {
  const s: Features['static'] = { stage: input.stage };
  const p = input.payment;
  if (typeof p.amount === 'number') s['payment.amount'] = p.amount;
  if (str(p.currency)) s['payment.currency'] = p.currency.toUpperCase();
  if (str(p.method)) s['payment.method'] = p.method;
  if (str(p.mode)) s['payment.mode'] = p.mode;
  if (str(p.captureMethod)) s['payment.capture_method'] = p.captureMethod;
  if (str(p.merchantId)) s['payment.merchant_id'] = p.merchantId;

  const customer = p.customer as
    | (Record<string, unknown> & { id?: string; email?: string; phone?: string })
    | null;
  const customerId = str(customer?.id);
  if (customerId) s['customer.id'] = customerId;
  const email = str(customer?.email)?.trim().toLowerCase();
  if (email) {
    s['customer.email'] = email;
    const at = email.lastIndexOf('@');
    if (at >= 0 && at < email.length - 1) s['customer.email_domain'] = email.slice(at + 1);
  }
  const phone = str(customer?.phone);
  if (phone) s['customer.phone'] = phone;
  const customerCountry = str(customer?.country);
  if (customerCountry) s['customer.country'] = customerCountry.toUpperCase();

  // The live request's client first; what it lacks comes from the payment (also what backtests see).
  const stored = p.client ?? undefined;
  const rawIp = str(input.client?.ip) ?? str(stored?.ip);
  const ip = rawIp ? normalizeIp(rawIp) : undefined;
  if (ip) s['client.ip'] = ip.address;
  const ua = str(input.client?.userAgent) ?? str(stored?.userAgent);
  if (ua) s['client.user_agent'] = ua;
  const ipCountry = (str(input.client?.country) ?? str(stored?.country))?.toUpperCase();
  if (ipCountry) s['client.country'] = ipCountry;
  const billingCountry = str(p.billing?.country)?.toUpperCase();
  if (billingCountry) s['billing.country'] = billingCountry;

  const card = input.card as (Record<string, unknown> & NonNullable<AntifraudInput['card']>) | undefined;
  if (card) {
    if (str(card.brand)) s['card.brand'] = card.brand.toLowerCase();
    if (str(card.first6)) s['card.first6'] = card.first6;
    if (str(card.last4)) s['card.last4'] = card.last4;
    if (str(card.fingerprint)) s['card.fingerprint'] = card.fingerprint;
    const cardCountry = str(card.country);
    if (cardCountry) s['card.country'] = cardCountry.toUpperCase();
    const issued =
      cardCountry?.toUpperCase() ?? (str(card.first6) ? iinCountry?.(card.first6)?.toUpperCase() : undefined);
    if (issued) s['card.iin_country'] = issued;
  }
  addGeoFeatures(s);

  const keys: Features['keys'] = {};
  if (s['card.fingerprint'] !== undefined) keys.card = String(s['card.fingerprint']);
  if (email) keys.email = email;
  if (ip) keys.ip = ip.address;
  // Customer ids are the merchant's own: counted per merchant, so two shops' "42" never add up.
  if (customerId) keys.customer = `${p.merchantId}:${customerId}`;

  return { static: s, metadata: p.metadata ?? {}, velocity: new Map(), keys };
}

/** Country agreement between the card's IIN, the buyer's IP and the billing address (those known). */
function addGeoFeatures(s: Features['static']): void {
  const iin = s['card.iin_country'] as string | undefined;
  const ip = s['client.country'] as string | undefined;
  const billing = s['billing.country'] as string | undefined;
  const known = [iin, ip, billing].filter((c): c is string => c !== undefined);
  if (known.length > 0) s['geo.countries'] = new Set(known).size;
  if (iin && ip) s['geo.card_ip_mismatch'] = iin === ip ? 0 : 1;
  if (iin && billing) s['geo.card_billing_mismatch'] = iin === billing ? 0 : 1;
  if (ip && billing) s['geo.ip_billing_mismatch'] = ip === billing ? 0 : 1;
}
