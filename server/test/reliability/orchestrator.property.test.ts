// Property test of the orchestrator against the testkit fake provider: random sequences of API calls,
// provider outcomes (the fake's trigger table) and notifications — duplicated, reordered and late — then
// the invariants the issue names are checked on what the store holds. A failure prints fast-check's seed
// and the shrunk sequence; re-run it with PAYRAIL_PROPERTY_SEED=<seed>.
import {
  canTransition,
  createPluginRegistry,
  createUndiciHttpClient,
  isPayrailError,
  newId,
  Orchestrator,
  type OutboxEvent,
  type Payment,
  type PaymentStatus,
  type Store,
  silentLogger,
  systemClock,
  type WebhookRequest,
} from '@payrail/core';
import { fakeProvider } from '@payrail/testkit';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore } from '../helpers/test-app';

const LONG = process.env.PAYRAIL_RELIABILITY_LONG === '1';
const NUM_RUNS = LONG ? 1000 : 100;
const SEED = process.env.PAYRAIL_PROPERTY_SEED ? Number(process.env.PAYRAIL_PROPERTY_SEED) : undefined;

const SCENARIOS = [
  'succeed',
  'decline_card_declined',
  'pending_then_webhook',
  'requires_action',
  'timeout_unknown',
] as const;

type Action =
  | {
      t: 'create';
      scenario: (typeof SCENARIOS)[number];
      manual: boolean;
      amount: number;
      currency: 'USD' | 'EUR' | 'JPY';
    }
  | { t: 'capture'; p: number; part: number | null }
  | { t: 'cancel'; p: number }
  | { t: 'refund'; p: number; part: number | null; reason: string | null }
  | { t: 'sync'; p: number }
  | { t: 'complete'; p: number; status: 'succeeded' | 'failed' | 'canceled' }
  /** The fake's notification of the payment's current state, kept to be delivered (possibly late). */
  | { t: 'snapshot'; p: number }
  /** Delivers a notification from the pool: any of them, any number of times (reorder, duplicate). */
  | { t: 'deliver'; n: number; twiceAtOnce: boolean };

const part = fc.option(fc.integer({ min: 1, max: 100 }), { nil: null });
const actionArb: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      t: fc.constant('create' as const),
      scenario: fc.constantFrom(...SCENARIOS),
      manual: fc.boolean(),
      amount: fc.integer({ min: 1, max: 100_000 }),
      currency: fc.constantFrom('USD' as const, 'EUR' as const, 'JPY' as const),
    }),
  },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('capture' as const), p: fc.nat(), part }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('cancel' as const), p: fc.nat() }) },
  {
    weight: 3,
    arbitrary: fc.record({
      t: fc.constant('refund' as const),
      p: fc.nat(),
      part,
      reason: fc.constantFrom(null, 'refund_pending', 'refund_fail'),
    }),
  },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('sync' as const), p: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant('complete' as const),
      p: fc.nat(),
      status: fc.constantFrom('succeeded' as const, 'failed' as const, 'canceled' as const),
    }),
  },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('snapshot' as const), p: fc.nat() }) },
  {
    weight: 4,
    arbitrary: fc.record({ t: fc.constant('deliver' as const), n: fc.nat(), twiceAtOnce: fc.boolean() }),
  },
);

/**
 * Always run first: a payment settled by a notification, then that notification duplicated, an older
 * one delivered late, a partial and a pending refund, a manual capture — so every run covers them.
 */
const EXAMPLE: Action[] = [
  { t: 'create', scenario: 'pending_then_webhook', manual: false, amount: 5000, currency: 'EUR' },
  { t: 'snapshot', p: 0 },
  { t: 'complete', p: 0, status: 'succeeded' },
  { t: 'deliver', n: 1, twiceAtOnce: true },
  { t: 'deliver', n: 0, twiceAtOnce: false },
  { t: 'deliver', n: 1, twiceAtOnce: false },
  { t: 'refund', p: 0, part: 30, reason: null },
  { t: 'refund', p: 0, part: null, reason: 'refund_pending' },
  { t: 'refund', p: 0, part: 10, reason: null },
  { t: 'sync', p: 0 },
  { t: 'create', scenario: 'succeed', manual: true, amount: 999, currency: 'USD' },
  { t: 'capture', p: 1, part: 50 },
  { t: 'capture', p: 1, part: null },
  { t: 'create', scenario: 'timeout_unknown', manual: false, amount: 100, currency: 'JPY' },
  { t: 'snapshot', p: 2 },
  { t: 'deliver', n: 2, twiceAtOnce: false },
  { t: 'deliver', n: 2, twiceAtOnce: true },
];
/** What the runs exercised, so the test cannot pass by doing nothing. */
const seen = { applied: 0, duplicate: 0, ignored: 0, redelivered: 0, refunded: 0, captured: 0 };

let store: Store;
let cleanup: () => Promise<void>;
const http = createUndiciHttpClient();

beforeAll(async () => {
  ({ store, cleanup } = await createStore('postgres'));
});
afterAll(async () => {
  await http.close();
  await cleanup?.();
});

async function allEvents(merchantId: string, objectId: string): Promise<OutboxEvent[]> {
  const out: OutboxEvent[] = [];
  let startingAfter: string | undefined;
  for (;;) {
    const page = await store.events.list({
      merchantId,
      mode: 'test',
      limit: 100,
      objectId,
      ...(startingAfter ? { startingAfter } : {}),
    });
    out.push(...page.data);
    if (!page.hasMore) break;
    startingAfter = page.data.at(-1)?.id;
  }
  // ids are ULIDs, monotonic within this process: id order is write order
  return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Invariants on one payment as stored; returns the reasons it breaks them. */
async function checkPayment(p: Payment): Promise<string[]> {
  const problems: string[] = [];
  const where = `${p.id} (${p.status})`;
  // ledger: every posting balances, and what the provider holds is what was captured less refunds
  const entries = await store.ledger.listByPayment({ paymentId: p.id });
  const byPosting = new Map<string, number>();
  let clearing = 0;
  const capturePostings = new Set<string>();
  for (const e of entries) {
    byPosting.set(e.postingId, (byPosting.get(e.postingId) ?? 0) + e.amount);
    if (e.currency !== p.currency) problems.push(`${where}: ledger entry in ${e.currency}`);
    if (e.account === 'provider_clearing') clearing += e.amount;
    if (e.account === 'psp_fees') capturePostings.add(e.postingId);
  }
  for (const [id, sum] of byPosting) if (sum !== 0) problems.push(`${where}: posting ${id} sums to ${sum}`);
  if (clearing !== p.amountCaptured - p.amountRefunded)
    problems.push(
      `${where}: provider_clearing ${clearing} ≠ captured ${p.amountCaptured} − refunded ${p.amountRefunded}`,
    );
  if (capturePostings.size > 1) problems.push(`${where}: captured ${capturePostings.size} times`);
  // amounts
  if (p.amountRefunded + p.amountRefundPending > p.amountCaptured)
    problems.push(
      `${where}: refunded ${p.amountRefunded} + pending ${p.amountRefundPending} > captured ${p.amountCaptured}`,
    );
  if (p.amountCaptured > p.amount)
    problems.push(`${where}: captured ${p.amountCaptured} > amount ${p.amount}`);
  const refunds = await store.refunds.listByPayment({ paymentId: p.id });
  const sum = (status: string) =>
    refunds.filter((r) => r.status === status).reduce((s, r) => s + r.amount, 0);
  if (sum('succeeded') !== p.amountRefunded)
    problems.push(`${where}: succeeded refunds ${sum('succeeded')} ≠ amountRefunded ${p.amountRefunded}`);
  if (sum('pending') !== p.amountRefundPending)
    problems.push(
      `${where}: pending refunds ${sum('pending')} ≠ amountRefundPending ${p.amountRefundPending}`,
    );
  const expected: PaymentStatus | null =
    p.amountCaptured === 0
      ? null
      : p.amountRefunded === 0
        ? 'succeeded'
        : p.amountRefunded === p.amountCaptured
          ? 'refunded'
          : 'partially_refunded';
  if (expected && p.status !== expected) problems.push(`${where}: amounts say ${expected}`);
  // events: payment.created, then one payment.<status> per change, each an allowed transition, ending
  // at the stored status — no transition outside the table, no regression, no change without its event
  const events = (await allEvents(p.merchantId, p.id)).filter((e) => e.type.startsWith('payment.'));
  if (events[0]?.type !== 'payment.created')
    problems.push(`${where}: first event ${events[0]?.type ?? 'none'}, expected payment.created`);
  let status: PaymentStatus = 'requires_payment_method';
  for (const e of events.slice(1)) {
    const next = e.type.slice('payment.'.length) as PaymentStatus;
    if (e.type === 'payment.created') problems.push(`${where}: second payment.created`);
    else if (!canTransition(status, next))
      problems.push(`${where}: event ${status} → ${next} not in the table`);
    status = next;
  }
  if (status !== p.status) problems.push(`${where}: last event says ${status}`);
  return problems;
}

describe('orchestrator properties (fake provider, PostgreSQL store)', () => {
  it(`keeps its invariants over random call, outcome and notification sequences (${NUM_RUNS} runs)`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(actionArb, { minLength: 1, maxLength: 40 }), async (actions) => {
        const fake = fakeProvider({ webhookSecret: 'property_whsec_0123456789' });
        const registry = await createPluginRegistry([fake], {
          logger: silentLogger,
          clock: systemClock,
          http,
          publicUrl: 'http://payrail.test',
        });
        const orchestrator = new Orchestrator({
          store,
          registry,
          clock: systemClock,
          logger: silentLogger,
          publicUrl: 'http://payrail.test',
        });
        const now = new Date();
        const merchantId = newId('merchant', now.getTime());
        await store.merchants.create({
          merchant: {
            id: merchantId,
            name: 'Property Shop',
            email: 'property@shop.test',
            tariff: { percentBps: 290, fixed: { USD: 30, EUR: 25 } },
            providerRoutes: {},
            createdAt: now,
          },
          apiKeys: [],
        });
        const scope = { merchantId, mode: 'test' as const };
        const ids: string[] = [];
        const pool: WebhookRequest[] = [];
        const applied = new Map<string, number>();
        const delivered = new Set<string>();
        const pick = (i: number) => (ids.length ? ids[i % ids.length] : undefined);
        // Expected refusals are PayrailErrors (invalid transition, provider rejected …); anything else is a bug.
        const tolerate = async (fn: () => Promise<unknown>) => {
          try {
            await fn();
          } catch (error) {
            if (!isPayrailError(error)) throw error;
          }
        };

        for (const a of actions) {
          const id = a.t === 'create' || a.t === 'deliver' ? undefined : pick(a.p);
          switch (a.t) {
            case 'create':
              await tolerate(async () => {
                const p = await orchestrator.createPayment({
                  scope,
                  request: {
                    amount: a.amount,
                    currency: a.currency,
                    method: 'fake',
                    captureMethod: a.manual ? 'manual' : 'automatic',
                    metadata: { fake_scenario: a.scenario },
                  },
                });
                ids.push(p.id);
              });
              // a timeout throws after the payment was stored: find it anyway
              if (a.scenario === 'timeout_unknown') {
                const page = await store.payments.list({ ...scope, limit: 1 });
                const newest = page.data[0]?.id;
                if (newest && !ids.includes(newest)) ids.push(newest);
              }
              break;
            case 'capture':
              if (!id) break;
              await tolerate(async () => {
                const p = await store.payments.get({ ...scope, id });
                const amount =
                  a.part && p ? Math.max(1, Math.floor((p.amountCapturable * a.part) / 100)) : undefined;
                await orchestrator.capturePayment({ scope, paymentId: id, ...(amount ? { amount } : {}) });
              });
              break;
            case 'cancel':
              if (id) await tolerate(() => orchestrator.cancelPayment({ scope, paymentId: id }));
              break;
            case 'refund':
              if (!id) break;
              await tolerate(async () => {
                const p = await store.payments.get({ ...scope, id });
                const amount =
                  a.part && p ? Math.max(1, Math.floor((p.amountCaptured * a.part) / 100)) : undefined;
                await orchestrator.refundPayment({
                  scope,
                  paymentId: id,
                  reason: a.reason,
                  ...(amount ? { amount } : {}),
                });
              });
              break;
            case 'sync':
              if (id) await tolerate(() => orchestrator.syncPayment({ paymentId: id }));
              break;
            case 'complete': {
              const r = id ? fake.control.payment(id) : undefined;
              if (id && (r?.status === 'processing' || r?.status === 'requires_action'))
                pool.push(fake.control.complete(id, { status: a.status }));
              break;
            }
            case 'snapshot':
              if (id && fake.control.payment(id)) pool.push(fake.control.webhookFor(id));
              break;
            case 'deliver': {
              const request = pool[a.n % Math.max(1, pool.length)];
              if (!request) break;
              const notificationId = (JSON.parse(request.rawBody.toString()) as { id: string }).id;
              const handled = await orchestrator.handleWebhook({
                pluginId: 'fake',
                instanceId: 'default',
                request,
              });
              if (delivered.has(notificationId)) seen.redelivered++;
              delivered.add(notificationId);
              if (handled.result === 'applied')
                applied.set(notificationId, (applied.get(notificationId) ?? 0) + 1);
              if (
                handled.result === 'applied' ||
                handled.result === 'duplicate' ||
                handled.result === 'ignored'
              )
                seen[handled.result]++;
              break;
            }
          }
        }

        const problems: string[] = [];
        for (const [nid, count] of applied)
          if (count > 1) problems.push(`notification ${nid} applied ${count} times`);
        for (const id of ids) {
          const p = await store.payments.get({ ...scope, id });
          if (!p) {
            problems.push(`payment ${id} lost`);
            continue;
          }
          problems.push(...(await checkPayment(p)));
          // after a sync the stored capture equals the provider's: nothing captured twice or lost
          const synced = await orchestrator.syncPayment({ paymentId: id }).catch((e: unknown) => {
            if (!isPayrailError(e)) throw e;
            return p;
          });
          const record = fake.control.payment(id);
          if (record && synced.amountCaptured !== record.amountCaptured)
            problems.push(
              `${id}: Payrail captured ${synced.amountCaptured}, the provider ${record.amountCaptured}`,
            );
          problems.push(...(await checkPayment(synced)));
          if (synced.amountCaptured > 0) seen.captured++;
          if (synced.amountRefunded > 0) seen.refunded++;
        }
        // the merchant's whole ledger balances per currency
        for (const currency of ['USD', 'EUR', 'JPY']) {
          const total = (await store.ledger.balances(scope))
            .filter((b) => b.currency === currency)
            .reduce((s, b) => s + b.amount, 0);
          if (total !== 0) problems.push(`ledger ${currency} sums to ${total}`);
        }
        expect(problems).toEqual([]);
      }),
      { numRuns: NUM_RUNS, examples: [[EXAMPLE]], ...(SEED !== undefined ? { seed: SEED } : {}) },
    );
    expect(seen.applied).toBeGreaterThan(0);
    // a repeat of an applied notification is 'ignored' (nothing to change) or, when it races, 'duplicate'
    expect(seen.redelivered).toBeGreaterThan(0);
    expect(seen.ignored).toBeGreaterThan(0);
    expect(seen.captured).toBeGreaterThan(0);
    expect(seen.refunded).toBeGreaterThan(0);
    console.info(`orchestrator properties: ${JSON.stringify(seen)}`);
  }, 600_000);
});
