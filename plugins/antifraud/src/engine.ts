import type {
  AntifraudEngine,
  AntifraudInput,
  AntifraudOutcome,
  AntifraudSignal,
  AntifraudStage,
  Clock,
  Mode,
} from '@payrail/core';
import { compileCondition, type Predicate, velocityFeaturesOf } from './compile';
import { configVersion } from './config-version';
import { type DistinctCardsPlan, distinctCardsPlan } from './distinct-cards';
import { parseDuration } from './duration';
import {
  extractFeatures,
  type Features,
  type IinCountryLookup,
  type VelocityDimension,
  type VelocityFeature,
  velocitySlot,
} from './features';
import { iinCountryLookup } from './iin-countries';
import { CompiledList, type ListHit, listSetSchema } from './lists';
import type { MerchantConfig, MerchantConfigSource } from './merchant-config';
import type { ParsedAntifraudOptions } from './options';
import { DEFAULT_SCORE, formatIssues, type Rule, type RuleAction, ruleSetSchema } from './rule-schema';
import { InMemoryVelocitySource, type VelocityQuery, type VelocitySource } from './velocity';

/** One check that fired. `code` is stable and machine-readable; `text` is for people. */
export interface Hit {
  code: string;
  text: string;
  action: RuleAction;
  score: number;
}

export interface Evaluation {
  signal: AntifraudSignal;
  hits: Hit[];
}

/** The antifraud engine: core's `assess` plus what the server and tests need around it. */
export interface RulesEngine extends AntifraudEngine {
  /** `assess` with the structured hits behind the signal. */
  evaluate(input: AntifraudInput): Promise<Evaluation>;
  /** Reports a declined authorization so that `declines` velocity counts it. */
  recordDecline(input: Pick<AntifraudInput, 'payment' | 'card' | 'client'>): Promise<void>;
  /** The velocity source in use, if any check needs one (or one was given). */
  readonly velocity: VelocitySource | undefined;
  /** Core's outcome hook: records a provider decline as a `decline` velocity event. */
  onOutcome(outcome: AntifraudOutcome): Promise<void>;
}

interface CompiledRule {
  code: string;
  action: RuleAction;
  score: number;
  /** Built-in limits run before authorization only; user rules at every stage of the instance. */
  preAuthorizationOnly: boolean;
  test: Predicate;
  text: (f: Features) => string;
}

const RANK: Record<RuleAction, number> = { allow: 0, review: 1, challenge: 2, deny: 3 };

/** `code: text` — the code never contains ": ", so `parseReason` splits it back. */
export const formatReason = (hit: Pick<Hit, 'code' | 'text'>): string => `${hit.code}: ${hit.text}`;

export function parseReason(reason: string): { code: string; text: string } {
  const at = reason.indexOf(': ');
  return at < 0 ? { code: reason, text: '' } : { code: reason.slice(0, at), text: reason.slice(at + 2) };
}

const LIST_TEXT: Record<ListHit['kind'], string> = {
  card_fingerprint: 'card',
  email: 'email',
  email_domain: 'email domain',
  ip: 'IP address',
  iin: 'card IIN',
};

function builtInRules(options: ParsedAntifraudOptions): {
  rules: CompiledRule[];
  velocity: VelocityFeature[];
} {
  const rules: CompiledRule[] = [];
  const velocity: VelocityFeature[] = [];
  const amount = options.limits.amount;
  if (amount) {
    const max = new Map(Object.entries(amount.max));
    rules.push({
      code: 'limit:amount',
      action: amount.action,
      score: amount.score ?? DEFAULT_SCORE[amount.action],
      preAuthorizationOnly: true,
      test: (f) => {
        const limit = max.get(f.static['payment.currency'] as string);
        return limit !== undefined && (f.static['payment.amount'] as number) > limit;
      },
      text: (f) =>
        `amount ${f.static['payment.amount']} ${f.static['payment.currency']} (minor units) is above the per-payment limit ${max.get(f.static['payment.currency'] as string)}`,
    });
  }
  const mismatch = options.limits.countryMismatch;
  if (mismatch) {
    rules.push({
      code: 'limit:country_mismatch',
      action: mismatch.action,
      score: mismatch.score ?? DEFAULT_SCORE[mismatch.action],
      preAuthorizationOnly: true,
      test: (f) => ((f.static['geo.countries'] as number | undefined) ?? 0) >= mismatch.countries,
      text: (f) =>
        `card IIN country ${f.static['card.iin_country'] ?? '?'}, IP country ${f.static['client.country'] ?? '?'} and billing country ${f.static['billing.country'] ?? '?'} name ${f.static['geo.countries']} countries`,
    });
  }
  const newCard = options.limits.newCard;
  if (newCard) {
    const above = new Map(Object.entries(newCard.above));
    const seen: VelocityFeature = {
      kind: 'velocity',
      dimension: 'card',
      event: 'payments',
      windowMs: parseDuration(newCard.lookback) ?? 0,
    };
    const slot = velocitySlot(seen);
    velocity.push(seen);
    rules.push({
      code: 'limit:new_card',
      action: newCard.action,
      score: newCard.score ?? DEFAULT_SCORE[newCard.action],
      preAuthorizationOnly: true,
      test: (f) => {
        const threshold = above.get(f.static['payment.currency'] as string);
        return (
          threshold !== undefined &&
          (f.static['payment.amount'] as number) > threshold &&
          f.velocity.get(slot) === 0
        );
      },
      text: (f) =>
        `first payment of this card in ${newCard.lookback} is above ${above.get(f.static['payment.currency'] as string)} ${f.static['payment.currency']} (minor units)`,
    });
  }
  for (const limit of options.velocity.limits) {
    const feature: VelocityFeature = {
      kind: 'velocity',
      dimension: limit.dimension,
      event: limit.event,
      windowMs: parseDuration(limit.window) ?? 0,
    };
    const slot = velocitySlot(feature);
    velocity.push(feature);
    const noun = {
      card: 'this card',
      email: 'this email',
      ip: 'this IP address',
      customer: 'this customer',
    }[limit.dimension];
    // Distinct cards include this payment's card: `limit` different cards pass, one more fires.
    const cards = limit.event === 'cards';
    rules.push({
      code: `velocity:${limit.dimension}:${limit.event}:${limit.window}`,
      action: limit.action,
      score: limit.score ?? DEFAULT_SCORE[limit.action],
      preAuthorizationOnly: true,
      test: (f) => (f.velocity.get(slot) ?? -1) >= limit.limit + (cards ? 1 : 0),
      text: (f) =>
        cards
          ? `${f.velocity.get(slot)} different cards from ${noun} in ${limit.window} (limit ${limit.limit})`
          : `${f.velocity.get(slot)} earlier ${limit.event} with ${noun} in ${limit.window} (limit ${limit.limit})`,
    });
  }
  return { rules, velocity };
}

export interface EngineDependencies {
  clock: Clock;
}

/** One set of lists and rules: the instance's (with built-in limits) or one merchant's. */
interface Layer {
  /** Prefixed to reason codes: '' for the instance, 'merchant:' for a merchant's own config. */
  prefix: string;
  allowList: CompiledList | undefined;
  blockList: CompiledList | undefined;
  blockScore: number;
  allowRules: CompiledRule[];
  rules: CompiledRule[];
  velocity: VelocityFeature[];
  /** Content hash of the layer's configuration (see `configVersion`). */
  version: string;
}

/** Compiles declarative rules (already validated) into allow rules and the others. */
function compileRules(rules: readonly Rule[], velocity: VelocityFeature[]) {
  const allowRules: CompiledRule[] = [];
  const userRules: CompiledRule[] = [];
  for (const rule of rules) {
    if (!rule.enabled) continue;
    velocityFeaturesOf(rule.when, velocity);
    const compiled: CompiledRule = {
      code: `rule:${rule.id}`,
      action: rule.action,
      score: rule.score ?? DEFAULT_SCORE[rule.action],
      preAuthorizationOnly: false,
      test: compileCondition(rule.when),
      text: () => rule.description,
    };
    (rule.action === 'allow' ? allowRules : userRules).push(compiled);
  }
  return { allowRules, userRules };
}

/** A merchant's stored config compiled into a layer; throws when it does not validate. */
function compileMerchantLayer(config: MerchantConfig, blockScore: number): Layer {
  const rules = ruleSetSchema.safeParse(config.rules ?? []);
  if (!rules.success) throw new Error(`merchant antifraud rules are invalid: ${formatIssues(rules.error)}`);
  const velocity: VelocityFeature[] = [];
  const { allowRules, userRules } = compileRules(rules.data, velocity);
  const list = (set: unknown) => (set ? new CompiledList(listSetSchema.parse(set)) : undefined);
  return {
    prefix: 'merchant:',
    allowList: list(config.lists.allow),
    blockList: list(config.lists.block),
    blockScore,
    allowRules,
    rules: userRules,
    velocity,
    version: configVersion({ rules: config.rules ?? [], lists: config.lists }),
  };
}

/** What one layer says: an allow that short-circuits it, or the hits that contribute. */
interface LayerResult {
  allowed?: Hit;
  hits: Hit[];
}

function runLayer(layer: Layer, f: Features, t: number, preAuthorization: boolean): LayerResult {
  const p = layer.prefix;
  const allowed = layer.allowList?.match(f, t);
  if (allowed) {
    return {
      allowed: {
        code: `${p}list:allow:${allowed.kind}`,
        text: `${LIST_TEXT[allowed.kind]} ${allowed.value} is on the ${p ? "merchant's " : ''}allow list`,
        action: 'allow',
        score: 0,
      },
      hits: [],
    };
  }
  for (const rule of layer.allowRules) {
    if (rule.test(f))
      return {
        allowed: { code: `${p}${rule.code}`, text: rule.text(f), action: 'allow', score: 0 },
        hits: [],
      };
  }
  const hits: Hit[] = [];
  const blocked = layer.blockList?.match(f, t);
  if (blocked) {
    hits.push({
      code: `${p}list:block:${blocked.kind}`,
      text: `${LIST_TEXT[blocked.kind]} ${blocked.value} is on the ${p ? "merchant's " : ''}block list`,
      action: 'deny',
      score: layer.blockScore,
    });
  }
  for (const rule of layer.rules) {
    if (rule.preAuthorizationOnly && !preAuthorization) continue;
    if (rule.test(f))
      hits.push({ code: `${p}${rule.code}`, text: rule.text(f), action: rule.action, score: rule.score });
  }
  return { hits };
}

/** A bounded cache of compiled merchant layers; a load in flight is shared by concurrent assessments. */
class MerchantLayers {
  readonly #entries = new Map<string, { until: number; layer: Promise<Layer | null> }>();
  constructor(
    private readonly source: MerchantConfigSource,
    private readonly ttlMs: number,
    private readonly max: number,
    private readonly blockScore: number,
  ) {}

  get(merchantId: string, mode: Mode, now: Date): Promise<Layer | null> {
    const key = `${mode}:${merchantId}`;
    const t = now.getTime();
    const cached = this.#entries.get(key);
    if (cached && cached.until > t) return cached.layer;
    const layer = this.source
      .load({ merchantId, mode, now })
      .then((config) => (config ? compileMerchantLayer(config, this.blockScore) : null));
    this.#entries.delete(key);
    this.#entries.set(key, { until: t + this.ttlMs, layer });
    // A failed load is not cached: the next assessment tries again.
    layer.catch(() => {
      if (this.#entries.get(key)?.layer === layer) this.#entries.delete(key);
    });
    while (this.#entries.size > this.max) this.#entries.delete(this.#entries.keys().next().value as string);
    return layer;
  }
}

/**
 * Compiles the options once (rules, lists, limits) and returns the engine. Throws when a rule needs a
 * window longer than the velocity source keeps.
 */
export function createRulesEngine(options: ParsedAntifraudOptions, deps: EngineDependencies): RulesEngine {
  const { clock } = deps;
  const stages = new Set<AntifraudStage>(options.stages);
  const iinCountry: IinCountryLookup = iinCountryLookup(options.iinCountries);
  const builtIn = builtInRules(options);
  const velocityFeatures = [...builtIn.velocity];
  const { allowRules, userRules } = compileRules(options.rules, velocityFeatures);
  const instance: Layer = {
    prefix: '',
    allowList: options.lists.allow ? new CompiledList(options.lists.allow) : undefined,
    blockList: options.lists.block ? new CompiledList(options.lists.block) : undefined,
    blockScore: options.lists.blockScore,
    allowRules,
    rules: [...builtIn.rules, ...userRules],
    velocity: velocityFeatures,
    version: configVersion({
      stages: options.stages,
      rules: options.rules,
      lists: options.lists,
      limits: options.limits,
      velocity: options.velocity.limits,
      iinCountries: options.iinCountries,
    }),
  };
  /** The risk's rules version: the instance's config alone, or with the merchant's. */
  const versionOf = (merchant: Layer | null): string =>
    merchant ? configVersion([instance.version, merchant.version]) : instance.version;
  const merchantConfig = options.merchantConfig;
  const merchants = merchantConfig
    ? new MerchantLayers(
        merchantConfig.source,
        typeof merchantConfig.ttl === 'number'
          ? merchantConfig.ttl
          : (parseDuration(merchantConfig.ttl) ?? 5_000),
        merchantConfig.maxMerchants,
        options.lists.blockScore,
      )
    : undefined;

  // One query per distinct (dimension, event, window), asked only when the key is present.
  const slotsOf = (features: readonly VelocityFeature[]) => {
    const slots = new Map<string, VelocityFeature>();
    for (const f of features) slots.set(velocitySlot(f), f);
    return slots;
  };
  const instanceSlots = slotsOf(velocityFeatures);
  const longest = Math.max(0, ...[...instanceSlots.values()].map((f) => f.windowMs));

  let velocity = options.velocity.source;
  // Merchant rules may count velocity too, so a source exists whenever merchants have their own config.
  if (!velocity && (instanceSlots.size > 0 || merchants)) {
    const memory = options.velocity.memory;
    velocity = new InMemoryVelocitySource({
      retentionMs: memory?.retention
        ? parseDuration(memory.retention)
        : merchants
          ? Math.max(longest, 30 * 86_400_000)
          : longest,
      resolutionMs: memory?.resolution ? parseDuration(memory.resolution) : undefined,
      maxKeys: memory?.maxKeys,
      maxBucketsPerKey: memory?.maxBucketsPerKey,
    });
  }
  if (velocity?.maxWindowMs !== undefined && longest > velocity.maxWindowMs) {
    throw new Error(
      `antifraud: a rule counts velocity over ${longest} ms but the velocity source keeps ${velocity.maxWindowMs} ms; raise velocity.memory.retention or shorten the window`,
    );
  }
  const recordAttempts = options.velocity.recordAttempts && velocity !== undefined;

  async function fillVelocity(
    f: Features,
    now: Date,
    recorded: boolean,
    slots: Map<string, VelocityFeature>,
  ): Promise<void> {
    if (!velocity || slots.size === 0) return;
    const queries: VelocityQuery[] = [];
    const queried: string[] = [];
    const distinct: DistinctCardsPlan = distinctCardsPlan(f, slots, velocity.maxWindowMs);
    for (const [slot, feature] of slots) {
      const key = f.keys[feature.dimension];
      if (key === undefined || feature.event === 'cards') continue;
      // A merchant rule asking for more than the source keeps gets what the source has (never an error).
      const windowMs = Math.min(feature.windowMs, velocity.maxWindowMs ?? feature.windowMs);
      queries.push({
        dimension: feature.dimension,
        key,
        event: feature.event === 'payments' ? 'payment' : 'decline',
        windowMs,
      });
      queried.push(slot);
    }
    const plain = queries.length;
    queries.push(...distinct.queries);
    if (queries.length === 0) return;
    const counts = await velocity.count(queries, now);
    queried.forEach((slot, i) => {
      const count = counts[i] ?? 0;
      // The attempt being assessed was recorded already: report only the earlier ones.
      const self = recorded && queries[i]?.event === 'payment' ? 1 : 0;
      f.velocity.set(slot, Math.max(0, count - self));
    });
    const records = distinct.apply(f, counts.slice(plain), now);
    // Counted before recording: concurrent first uses of one card may both count it (an overcount).
    if (recorded) for (const record of records) await velocity.record(record);
  }

  async function evaluate(input: AntifraudInput): Promise<Evaluation> {
    if (!stages.has(input.stage)) return { signal: { verdict: 'allow', score: 0, reasons: [] }, hits: [] };
    const now = clock.now();
    const t = now.getTime();
    const f = extractFeatures(input, iinCountry);
    const preAuthorization = input.stage === 'pre_authorization';
    // Every attempt counts, allowed or denied (a card tester retrying after a deny must be seen). It is
    // recorded *before* counting and then left out of the counts: two concurrent attempts then see each
    // other (an overcount, the safe side) instead of both slipping under a limit.
    const recorded = recordAttempts && preAuthorization && velocity !== undefined;
    const merchantLayer = merchants
      ? merchants.get(input.payment.merchantId, input.payment.mode, now)
      : Promise.resolve(null);
    if (recorded) await velocity?.record({ event: 'payment', keys: f.keys, at: now });
    const merchant = await merchantLayer;
    // Without a merchant layer, an instance allow-list hit short-circuits before any count is asked.
    if (!merchant) {
      const allowed = instance.allowList?.match(f, t);
      if (allowed) {
        return allow(
          {
            code: `list:allow:${allowed.kind}`,
            text: `${LIST_TEXT[allowed.kind]} ${allowed.value} is on the allow list`,
          },
          instance.version,
        );
      }
    }
    let slots = instanceSlots;
    if (merchant && merchant.velocity.length > 0)
      slots = slotsOf([...velocityFeatures, ...merchant.velocity]);
    await fillVelocity(f, now, recorded, slots);
    // Each layer's allow list and allow rules short-circuit that layer only: a merchant cannot allow what
    // the operator's instance blocks, nor the other way round. Across layers the strongest action wins.
    const results = [runLayer(instance, f, t, preAuthorization)];
    if (merchant) results.push(runLayer(merchant, f, t, preAuthorization));
    const allows = results.flatMap((r) => (r.allowed ? [r.allowed] : []));
    const hits = results.flatMap((r) => r.hits);
    let verdict: RuleAction = 'allow';
    let score = 0;
    for (const hit of hits) {
      if (RANK[hit.action] > RANK[verdict]) verdict = hit.action;
      if (hit.score > score) score = hit.score;
    }
    const all = [...allows, ...hits];
    return {
      signal: { verdict, score, reasons: all.map(formatReason), rulesVersion: versionOf(merchant) },
      hits: all,
    };
  }

  async function recordDecline(input: Pick<AntifraudInput, 'payment' | 'card' | 'client'>): Promise<void> {
    if (!velocity) return;
    const f = extractFeatures({ stage: 'pre_authorization', ...input }, iinCountry);
    await velocity.record({ event: 'decline', keys: f.keys, at: clock.now() });
  }

  return {
    velocity,
    evaluate,
    async assess(input) {
      return (await evaluate(input)).signal;
    },
    recordDecline,
    // Core reports how each attempt ended; a provider decline feeds `declines` velocity. Antifraud's own
    // denials are not declines here: the attempt was already counted, and counting it twice would let
    // one deny snowball into more.
    async onOutcome({ input, payment }) {
      if (payment.status !== 'failed' || !payment.decline || payment.decline.code === 'fraud_suspected')
        return;
      await recordDecline({
        payment: input.payment,
        card: input.card ?? payment.card ?? undefined,
        client: input.client,
      });
    },
  };
}

function allow(hit: Pick<Hit, 'code' | 'text'>, rulesVersion: string): Evaluation {
  return {
    signal: { verdict: 'allow', score: 0, reasons: [formatReason(hit)], rulesVersion },
    hits: [{ ...hit, action: 'allow', score: 0 }],
  };
}

export type { VelocityDimension };
