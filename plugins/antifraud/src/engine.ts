import type { AntifraudEngine, AntifraudInput, AntifraudSignal, AntifraudStage, Clock } from '@payrail/core';
import { compileCondition, type Predicate, velocityFeaturesOf } from './compile';
import { parseDuration } from './duration';
import {
  extractFeatures,
  type Features,
  type VelocityDimension,
  type VelocityFeature,
  velocitySlot,
} from './features';
import { CompiledList, type ListHit } from './lists';
import type { ParsedAntifraudOptions } from './options';
import { DEFAULT_SCORE, type RuleAction } from './rule-schema';
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
    const noun = { card: 'this card', email: 'this email', ip: 'this IP address' }[limit.dimension];
    rules.push({
      code: `velocity:${limit.dimension}:${limit.event}:${limit.window}`,
      action: limit.action,
      score: limit.score ?? DEFAULT_SCORE[limit.action],
      preAuthorizationOnly: true,
      test: (f) => (f.velocity.get(slot) ?? -1) >= limit.limit,
      text: (f) =>
        `${f.velocity.get(slot)} earlier ${limit.event} with ${noun} in ${limit.window} (limit ${limit.limit})`,
    });
  }
  return { rules, velocity };
}

export interface EngineDependencies {
  clock: Clock;
}

/**
 * Compiles the options once (rules, lists, limits) and returns the engine. Throws when a rule needs a
 * window longer than the velocity source keeps.
 */
export function createRulesEngine(options: ParsedAntifraudOptions, deps: EngineDependencies): RulesEngine {
  const { clock } = deps;
  const stages = new Set<AntifraudStage>(options.stages);
  const allowList = options.lists.allow ? new CompiledList(options.lists.allow) : undefined;
  const blockList = options.lists.block ? new CompiledList(options.lists.block) : undefined;
  const builtIn = builtInRules(options);

  const userRules: CompiledRule[] = [];
  const allowRules: CompiledRule[] = [];
  const velocityFeatures = [...builtIn.velocity];
  for (const rule of options.rules) {
    if (!rule.enabled) continue;
    velocityFeaturesOf(rule.when, velocityFeatures);
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
  const rules = [...builtIn.rules, ...userRules];

  // One query per distinct (dimension, event, window), asked only when the key is present.
  const slots = new Map<string, VelocityFeature>();
  for (const f of velocityFeatures) slots.set(velocitySlot(f), f);
  const needed = [...slots.entries()];
  const longest = Math.max(0, ...needed.map(([, f]) => f.windowMs));

  let velocity = options.velocity.source;
  if (!velocity && needed.length > 0) {
    const memory = options.velocity.memory;
    velocity = new InMemoryVelocitySource({
      retentionMs: memory?.retention ? parseDuration(memory.retention) : longest,
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

  async function fillVelocity(f: Features, now: Date, recorded: boolean): Promise<void> {
    if (!velocity || needed.length === 0) return;
    const queries: VelocityQuery[] = [];
    const queried: string[] = [];
    for (const [slot, feature] of needed) {
      const key = f.keys[feature.dimension];
      if (key === undefined) continue;
      queries.push({
        dimension: feature.dimension,
        key,
        event: feature.event === 'payments' ? 'payment' : 'decline',
        windowMs: feature.windowMs,
      });
      queried.push(slot);
    }
    if (queries.length === 0) return;
    const counts = await velocity.count(queries, now);
    queried.forEach((slot, i) => {
      const count = counts[i] ?? 0;
      // The attempt being assessed was recorded already: report only the earlier ones.
      const self = recorded && queries[i]?.event === 'payment' ? 1 : 0;
      f.velocity.set(slot, Math.max(0, count - self));
    });
  }

  async function evaluate(input: AntifraudInput): Promise<Evaluation> {
    if (!stages.has(input.stage)) return { signal: { verdict: 'allow', score: 0, reasons: [] }, hits: [] };
    const now = clock.now();
    const t = now.getTime();
    const f = extractFeatures(input);
    const preAuthorization = input.stage === 'pre_authorization';
    // Every attempt counts, allowed or denied (a card tester retrying after a deny must be seen). It is
    // recorded *before* counting and then left out of the counts: two concurrent attempts then see each
    // other (an overcount, the safe side) instead of both slipping under a limit.
    const recorded = recordAttempts && preAuthorization && velocity !== undefined;
    if (recorded) await velocity?.record({ event: 'payment', keys: f.keys, at: now });
    // 1. Allow list: short-circuits, nothing else is evaluated.
    const allowed = allowList?.match(f, t);
    if (allowed) {
      return allow({
        code: `list:allow:${allowed.kind}`,
        text: `${LIST_TEXT[allowed.kind]} ${allowed.value} is on the allow list`,
      });
    }
    await fillVelocity(f, now, recorded);
    // 2. Allow rules: likewise short-circuit (they may read velocity, hence after the counts).
    for (const rule of allowRules) {
      if (rule.test(f)) return allow({ code: rule.code, text: rule.text(f) });
    }
    // 3. Everything else: every hit contributes; the strongest action wins, the score is the highest.
    const hits: Hit[] = [];
    const blocked = blockList?.match(f, t);
    if (blocked) {
      hits.push({
        code: `list:block:${blocked.kind}`,
        text: `${LIST_TEXT[blocked.kind]} ${blocked.value} is on the block list`,
        action: 'deny',
        score: options.lists.blockScore,
      });
    }
    for (const rule of rules) {
      if (rule.preAuthorizationOnly && !preAuthorization) continue;
      if (rule.test(f))
        hits.push({ code: rule.code, text: rule.text(f), action: rule.action, score: rule.score });
    }
    let verdict: RuleAction = 'allow';
    let score = 0;
    for (const hit of hits) {
      if (RANK[hit.action] > RANK[verdict]) verdict = hit.action;
      if (hit.score > score) score = hit.score;
    }
    return { signal: { verdict, score, reasons: hits.map(formatReason) }, hits };
  }

  return {
    velocity,
    evaluate,
    async assess(input) {
      return (await evaluate(input)).signal;
    },
    async recordDecline(input) {
      if (!velocity) return;
      const f = extractFeatures({ stage: 'pre_authorization', ...input });
      await velocity.record({ event: 'decline', keys: f.keys, at: clock.now() });
    },
  };
}

function allow(hit: Pick<Hit, 'code' | 'text'>): Evaluation {
  return {
    signal: { verdict: 'allow', score: 0, reasons: [formatReason(hit)] },
    hits: [{ ...hit, action: 'allow', score: 0 }],
  };
}

export type { VelocityDimension };
