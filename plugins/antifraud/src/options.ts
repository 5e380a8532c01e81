import { isCountryCode, parseCurrency } from '@payrail/core';
import { z } from 'zod';
import { parseDuration } from './duration';
import { VELOCITY_DIMENSIONS, VELOCITY_EVENTS } from './features';
import { listSetSchema } from './lists';
import type { MerchantConfigSource } from './merchant-config';
import { ACTIONS, formatIssues, ruleSetSchema } from './rule-schema';
import type { VelocitySource } from './velocity';

/** A message when `code` is not an uppercase ISO 4217 code. */
function currencyProblem(code: string): string | undefined {
  try {
    return parseCurrency(code) === code ? undefined : `write "${code}" in uppercase`;
  } catch {
    return `"${code}" is not an ISO 4217 currency code`;
  }
}

/** Amounts in minor units per currency: `{ RUB: 5_000_000, USD: 100_000 }`. */
const perCurrency = z.record(z.string(), z.number().int().min(0)).superRefine((map, ctx) => {
  for (const code of Object.keys(map)) {
    const problem = currencyProblem(code);
    if (problem) ctx.addIssue({ code: 'custom', path: [code], message: problem });
  }
});

const duration = z
  .string()
  .refine((v) => parseDuration(v) !== undefined, 'must be a duration such as "30s", "10m", "1h" or "7d"');

/** Actions a built-in check can take ("allow" would make no sense for a limit). */
const flagAction = z.enum(ACTIONS.filter((a) => a !== 'allow') as ['review', 'challenge', 'deny']);
const score = z.number().int().min(0).max(100).optional();

const velocitySourceSchema = z.custom<VelocitySource>(
  (v) =>
    typeof v === 'object' &&
    v !== null &&
    typeof (v as VelocitySource).count === 'function' &&
    typeof (v as VelocitySource).record === 'function',
  'must be a VelocitySource: an object with count() and record()',
);

export const velocityLimitSchema = z
  .strictObject({
    /** What the events are counted by. */
    dimension: z.enum(VELOCITY_DIMENSIONS),
    /**
     * `payments`: attempts assessed before authorization; `declines`: reported with `recordDecline`;
     * `cards`: distinct card fingerprints by IP, email or customer.
     */
    event: z.enum(VELOCITY_EVENTS),
    window: duration,
    /**
     * How many earlier events the window may hold; the check fires when it already holds this many. For
     * `cards`: how many different cards may be used; the check fires on one more.
     */
    limit: z.number().int().min(0),
    action: flagAction.default('review'),
    score,
  })
  .refine((l) => !(l.dimension === 'card' && l.event === 'cards'), {
    path: ['event'],
    message: '"cards" counts different cards by ip, email or customer, not by card',
  });

/** ISO 3166-1 alpha-2, uppercase. */
const country = z.string().refine(isCountryCode, 'must be an uppercase ISO 3166-1 alpha-2 country code');

const merchantConfigSourceSchema = z.custom<MerchantConfigSource>(
  (v) => typeof v === 'object' && v !== null && typeof (v as MerchantConfigSource).load === 'function',
  'must be a MerchantConfigSource: an object with load()',
);

export const antifraudOptionsSchema = z.strictObject({
  instanceId: z.string().optional(),
  /** Stages this instance assesses (its declared capabilities). Default: before authorization only. */
  stages: z
    .array(z.enum(['pre_authorization', 'pre_refund']))
    .min(1)
    .default(['pre_authorization'])
    .refine((s) => new Set(s).size === s.length, 'stages must not repeat'),
  /** Declarative rules (see README); validated and compiled once at init. */
  rules: ruleSetSchema.default([]),
  lists: z
    .strictObject({
      /** A hit lets the payment through at once: verdict allow, score 0, nothing else evaluated. */
      allow: listSetSchema.optional(),
      /** A hit denies. */
      block: listSetSchema.optional(),
      /** Score of a block-list hit. Default 100. */
      blockScore: z.number().int().min(0).max(100).default(100),
    })
    .default({ blockScore: 100 }),
  limits: z
    .strictObject({
      /** Per-payment amount ceiling by currency; a currency not listed has none. */
      amount: z.strictObject({ max: perCurrency, action: flagAction.default('deny'), score }).optional(),
      /**
       * A card with no payment in `lookback` (a card not seen before) paying more than its currency's
       * amount. Needs the card fingerprint and a velocity source (the in-memory one by default).
       */
      /**
       * The card's IIN country, the buyer's IP country and the billing country (those supplied) name at
       * least `countries` different countries. Default 2: any two known that disagree.
       */
      countryMismatch: z
        .strictObject({
          countries: z.number().int().min(2).max(3).default(2),
          action: flagAction.default('review'),
          score,
        })
        .optional(),
      newCard: z
        .strictObject({
          above: perCurrency,
          lookback: duration.default('30d'),
          action: flagAction.default('challenge'),
          score,
        })
        .optional(),
    })
    .default({}),
  /**
   * IIN prefix (1–6 digits) → issuing country, for cards whose display carries no country (the longest
   * prefix wins). No table is built in: Payrail has no IIN-country data of its own.
   */
  iinCountries: z
    .record(z.string(), country)
    .superRefine((table, ctx) => {
      for (const prefix of Object.keys(table)) {
        if (!/^[0-9]{1,6}$/.test(prefix))
          ctx.addIssue({ code: 'custom', path: [prefix], message: 'IIN prefixes are 1–6 digits' });
      }
    })
    .default({}),
  velocity: z
    .strictObject({
      /** Where counts come from. Default: an InMemoryVelocitySource, created only if some check needs counts. */
      source: velocitySourceSchema.optional(),
      /** Settings of the default in-memory source. Retention defaults to the longest window used. */
      memory: z
        .strictObject({
          retention: duration.optional(),
          resolution: duration.optional(),
          maxKeys: z.number().int().min(1).optional(),
          maxBucketsPerKey: z.number().int().min(2).optional(),
        })
        .optional(),
      limits: z.array(velocityLimitSchema).default([]),
      /** Record each pre-authorization attempt as a `payment` event. Default true. */
      recordAttempts: z.boolean().default(true),
    })
    .default({ limits: [], recordAttempts: true }),
  /**
   * Each merchant's own rules and lists (per mode), read at decision time and cached for `ttl`. The
   * server sets this to the store; a library user may pass any source. Absent: instance config only.
   */
  merchantConfig: z
    .strictObject({
      source: merchantConfigSourceSchema,
      /**
       * How long a merchant's compiled config is reused before it is read again: a duration, or a number
       * of milliseconds (0: read on every assessment). Default 5 s.
       */
      ttl: z.union([duration, z.number().int().min(0)]).default('5s'),
      /** Merchants kept compiled at once; the least recently loaded are dropped past it. Default 10 000. */
      maxMerchants: z.number().int().min(1).default(10_000),
    })
    .optional(),
});

export type AntifraudOptions = z.input<typeof antifraudOptionsSchema>;
export type ParsedAntifraudOptions = z.output<typeof antifraudOptionsSchema>;
export type VelocityLimit = z.output<typeof velocityLimitSchema>;

/** Parses plugin options outside the registry (tests, CLI checks); throws listing every issue by path. */
export function parseAntifraudOptions(raw: unknown): ParsedAntifraudOptions {
  const parsed = antifraudOptionsSchema.safeParse(raw ?? {});
  if (!parsed.success) throw new Error(`Invalid antifraud options:\n${formatIssues(parsed.error)}`);
  return parsed.data;
}
