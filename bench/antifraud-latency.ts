/**
 * Latency an antifraud decision adds with velocity in the store (issue 8: "at most a few milliseconds
 * p99").
 *
 *   node --import tsx bench/antifraud-latency.ts [--decisions 5000] [--cards 500] [--keep]
 *
 * Creates a fresh PostgreSQL database (admin URL `PAYRAIL_BENCH_POSTGRES_URL`, default the local server),
 * migrates it, and runs `--decisions` assessments one after another, as the orchestrator does before an
 * authorization: the rules engine with four velocity limits (card, email, IP, customer; payments and
 * declines, 10 min to 7 days), a new-card limit, 20 declarative rules and a merchant's own rules and lists
 * read from the store (cached 5 s) — so each decision records the attempt (one upsert) and reads every
 * count (one statement). Prints p50/p95/p99/max in milliseconds. Every fifth attempt is also reported as a
 * decline through `onOutcome`, as core does after a provider decline (timed separately).
 */
import { parseArgs } from 'node:util';
import { type AntifraudInput, newId, type Payment, systemClock } from '../core/src/index';
import {
  createRulesEngine,
  parseAntifraudOptions,
  StoreVelocitySource,
  storeMerchantConfig,
} from '../plugins/antifraud/src/index';
import { createPostgresStore } from '../stores/postgres/src/index';
import { createTestDatabase } from '../stores/postgres/src/testing';

const { values } = parseArgs({
  options: {
    decisions: { type: 'string', default: '5000' },
    cards: { type: 'string', default: '500' },
    keep: { type: 'boolean', default: false },
  },
});
const decisions = Number(values.decisions);
const cards = Number(values.cards);

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
const summary = (ms: number[]) => {
  const s = [...ms].sort((a, b) => a - b);
  const f = (v: number) => v.toFixed(2);
  return `p50 ${f(percentile(s, 50))}  p95 ${f(percentile(s, 95))}  p99 ${f(percentile(s, 99))}  max ${f(s.at(-1) ?? 0)}`;
};

const database = await createTestDatabase(
  process.env.PAYRAIL_BENCH_POSTGRES_URL ? { adminUrl: process.env.PAYRAIL_BENCH_POSTGRES_URL } : {},
);
const store = createPostgresStore({ url: database.url, poolSize: 4 });
try {
  await store.migrate();
  const merchantId = newId('merchant');
  await store.merchants.create({
    merchant: {
      id: merchantId,
      name: 'Bench shop',
      email: 'bench@shop.example',
      tariff: { percentBps: 0, fixed: {} },
      providerRoutes: {},
      createdAt: new Date(),
    },
    apiKeys: [],
  });
  const now = new Date();
  await store.antifraud.putRuleSet({
    ruleSet: {
      merchantId,
      mode: 'live',
      version: 1,
      updatedAt: now,
      updatedBy: 'bench',
      rules: [
        {
          id: 'customer-burst',
          description: 'a customer paying often',
          action: 'review',
          when: { field: 'velocity.customer.payments.1h', op: 'gte', value: 20 },
        },
      ],
    },
    expectedVersion: 0,
    audit: {
      id: newId('audit'),
      merchantId,
      mode: 'live',
      actor: 'bench',
      action: 'rules.replaced',
      objectId: 'rules',
      before: null,
      after: null,
      createdAt: now,
    },
  });

  const engine = createRulesEngine(
    parseAntifraudOptions({
      rules: Array.from({ length: 20 }, (_, i) => ({
        id: `r${i}`,
        description: `rule ${i}`,
        action: 'review',
        when: {
          all: [
            { field: 'payment.amount', op: 'gt', value: 10_000_000 + i },
            { field: 'customer.email', op: 'matches', value: `^fraud${i}\\d*@`, flags: 'i' },
          ],
        },
      })),
      limits: { newCard: { above: { RUB: 3_000_000 }, lookback: '30d' } },
      velocity: {
        source: new StoreVelocitySource(store.riskCounters, { namespace: 'antifraud:bench' }),
        limits: [
          { dimension: 'card', event: 'payments', window: '10m', limit: 5 },
          { dimension: 'card', event: 'declines', window: '24h', limit: 3, action: 'deny' },
          { dimension: 'ip', event: 'payments', window: '1h', limit: 30 },
          { dimension: 'email', event: 'declines', window: '7d', limit: 10 },
        ],
      },
      merchantConfig: { source: storeMerchantConfig(store.antifraud), ttl: '5s' },
    }),
    { clock: systemClock },
  );

  const inputOf = (i: number): AntifraudInput => ({
    stage: 'pre_authorization',
    payment: {
      id: `pay_${i}`,
      merchantId,
      mode: 'live',
      amount: 100_000 + i,
      currency: 'RUB',
      captureMethod: 'automatic',
      orderId: null,
      description: null,
      customer: { id: `cus_${i % cards}`, email: `buyer${i % cards}@example.com` },
      returnUrl: null,
      metadata: {},
      paymentRef: null,
      method: 'card',
    },
    card: {
      brand: 'visa',
      first6: '424242',
      last4: String(i % 10_000).padStart(4, '0'),
      expMonth: 12,
      expYear: 2030,
      fingerprint: `fp_${i % cards}`,
    },
    client: { ip: `198.51.${(i >> 8) & 255}.${i & 255}` },
  });

  for (let i = 0; i < 200; i++) await engine.assess(inputOf(i)); // warm-up: JIT, pool, merchant cache
  const assess: number[] = [];
  const decline: number[] = [];
  for (let i = 0; i < decisions; i++) {
    const input = inputOf(i);
    const t0 = performance.now();
    await engine.assess(input);
    assess.push(performance.now() - t0);
    if (i % 5 === 0) {
      const t1 = performance.now();
      await engine.onOutcome({
        input,
        payment: {
          status: 'failed',
          decline: { code: 'card_declined', providerCode: '05', message: '' },
        } as Payment,
      });
      decline.push(performance.now() - t1);
    }
  }
  console.log(
    `antifraud decision, store velocity on PostgreSQL, ${decisions} sequential decisions, ${cards} cards`,
  );
  console.log(`  assess (record attempt + all counts + rules), ms: ${summary(assess)}`);
  console.log(`  onOutcome (record a decline), ms:              ${summary(decline)}`);
} finally {
  await store.close();
  if (!values.keep) await database.drop();
}
