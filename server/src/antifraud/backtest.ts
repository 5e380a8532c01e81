import {
  type AntifraudInput,
  type AntifraudVerdict,
  antifraudPaymentView,
  ManualClock,
  type MerchantScope,
  type Payment,
  PayrailError,
  type Store,
} from '@payrail/core';
import { createRulesEngine, listSetsOf, parseAntifraudOptions } from '@payrail/plugin-antifraud';

/** Most payments one backtest replays (they are held in memory and replayed in time order). */
export const BACKTEST_MAX_PAYMENTS = 50_000;

const VERDICTS: readonly AntifraudVerdict[] = ['allow', 'review', 'challenge', 'deny'];
type Counts = Record<AntifraudVerdict, number>;
const zero = (): Counts => ({ allow: 0, review: 0, challenge: 0, deny: 0 });

/** Statuses of payments that reached an authorization attempt (an abandoned checkout did not). */
const ATTEMPTED = new Set<Payment['status']>([
  'processing',
  'requires_action',
  'authorized',
  'succeeded',
  'partially_refunded',
  'refunded',
  'failed',
]);

export interface BacktestReport {
  object: 'backtest';
  from: string;
  to: string;
  /** Payments in the range that reached an authorization attempt (the ones replayed). */
  payments: number;
  /** What the candidate rules would have decided. */
  candidate: Counts;
  /** What was decided at the time (`none`: antifraud did not run). */
  actual: Counts & { none: number };
  /** How many payments would get a different decision. */
  changed: number;
  known_fraud: {
    /** Payments the merchant marked as fraud. */
    total: number;
    /** …that the candidate would have stopped or held (any verdict other than allow). */
    caught: number;
    /** …of those, denied outright. */
    denied: number;
    missed: number;
  };
  /** Payments not marked as fraud that the candidate would deny. */
  false_positives: number;
  /** Payments not marked as fraud that the candidate would send to review or challenge. */
  false_reviews: number;
  /** Up to 20 payments whose decision would change, oldest first. */
  examples: {
    payment_id: string;
    actual: AntifraudVerdict | null;
    candidate: AntifraudVerdict;
    reasons: string[];
  }[];
}

/**
 * Replays stored payments of one merchant and mode, oldest first, through a candidate rule set (plus the
 * merchant's current lists, unless `includeLists` is false) and counts what it would have decided.
 *
 * Velocity is rebuilt during the replay (each payment is an attempt at its creation time; provider
 * declines are declines), so velocity rules are judged on the history in the range only. The buyer's
 * IP, user agent and countries come from the payment (`antifraudPaymentView`), as stored when it was
 * paid; payments made before they were stored have none (rules on them do not match).
 */
export async function runBacktest(args: {
  store: Store;
  scope: MerchantScope;
  /** The candidate rule set as JSON (validated again here). */
  rules: unknown[];
  from: Date;
  to: Date;
  includeLists: boolean;
  now: Date;
}): Promise<BacktestReport> {
  const { store, scope } = args;
  if (!(args.from < args.to)) {
    throw new PayrailError('PAYRAIL_ERR_VALIDATION', { param: 'to', message: 'to must be after from.' });
  }
  const payments: Payment[] = [];
  let startingAfter: string | undefined;
  for (;;) {
    const page = await store.payments.list({
      ...scope,
      limit: 100,
      createdGte: args.from,
      createdLt: args.to,
      ...(startingAfter ? { startingAfter } : {}),
    });
    for (const p of page.data) if (p.risk !== null || ATTEMPTED.has(p.status)) payments.push(p);
    if (payments.length > BACKTEST_MAX_PAYMENTS) {
      throw new PayrailError('PAYRAIL_ERR_VALIDATION', {
        param: 'from',
        message: `The range holds more than ${BACKTEST_MAX_PAYMENTS} payments; backtest a shorter range.`,
      });
    }
    if (!page.hasMore) break;
    startingAfter = page.data.at(-1)?.id;
  }
  payments.reverse(); // oldest first: velocity builds up as it did

  const lists = args.includeLists
    ? listSetsOf(await store.antifraud.liveListEntries({ ...scope, now: args.now }))
    : {};
  const clock = new ManualClock(args.from);
  const engine = createRulesEngine(
    parseAntifraudOptions({ rules: args.rules, lists, velocity: { memory: { retention: '30d' } } }),
    { clock },
  );

  const fraud = new Set<string>();
  for (let i = 0; i < payments.length; i += 1000) {
    const ids = payments.slice(i, i + 1000).map((p) => p.id);
    for (const mark of await store.antifraud.listFraudMarks({ ...scope, paymentIds: ids }))
      fraud.add(mark.paymentId);
  }

  const report: BacktestReport = {
    object: 'backtest',
    from: args.from.toISOString(),
    to: args.to.toISOString(),
    payments: payments.length,
    candidate: zero(),
    actual: { ...zero(), none: 0 },
    changed: 0,
    known_fraud: { total: 0, caught: 0, denied: 0, missed: 0 },
    false_positives: 0,
    false_reviews: 0,
    examples: [],
  };
  for (const p of payments) {
    clock.set(p.createdAt);
    const input: AntifraudInput = {
      stage: 'pre_authorization',
      payment: antifraudPaymentView(p),
      ...(p.card ? { card: p.card } : {}),
    };
    const { signal } = await engine.evaluate(input);
    const verdict = signal.verdict;
    const actual = p.risk?.decision ?? null;
    report.candidate[verdict]++;
    if (actual) report.actual[actual]++;
    else report.actual.none++;
    if ((actual ?? 'allow') !== verdict) {
      report.changed++;
      if (report.examples.length < 20) {
        report.examples.push({ payment_id: p.id, actual, candidate: verdict, reasons: signal.reasons });
      }
    }
    if (fraud.has(p.id)) {
      report.known_fraud.total++;
      if (verdict === 'allow') report.known_fraud.missed++;
      else report.known_fraud.caught++;
      if (verdict === 'deny') report.known_fraud.denied++;
    } else if (verdict === 'deny') {
      report.false_positives++;
    } else if (verdict !== 'allow') {
      report.false_reviews++;
    }
    // Provider declines feed `declines` velocity for the payments that follow.
    if (p.status === 'failed' && p.decline && p.decline.code !== 'fraud_suspected') {
      await engine.recordDecline({ payment: input.payment, card: input.card });
    }
  }
  return report;
}

export { VERDICTS };
