import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '@payrail/core';
import {
  type AntifraudOptions,
  antifraud,
  createRulesEngine,
  parseAntifraudOptions,
  StoreVelocitySource,
  storeMerchantConfig,
} from '@payrail/plugin-antifraud';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reviewQueue } from '../src/antifraud/reviews';
import { antifraudOnStore } from '../src/antifraud/wiring';
import { pluginsFromFile } from '../src/plugins-file';
import { cardPayload, createTestApp, type TestApp, type TestMerchant } from './helpers/test-app';

/** A Luhn-valid Visa number no other test uses: the sandbox approves it; its fingerprint is its own. */
let serial = Math.floor(Math.random() * 1e8);
function freshCard(): string {
  const body = `41${String(serial++).padStart(13, '0')}`;
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    let d = Number(body[body.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return `${body}${(10 - (sum % 10)) % 10}`;
}

const LOST_CARD = '4000000000009987'; // declined by the sandbox (lost_card); used by one test only

/** The antifraud instance the server runs: store-backed velocity and merchant config, as from the plugins file. */
const instanceOptions = {
  velocity: {
    limits: [
      { dimension: 'card', event: 'payments', window: '10m', limit: 2, action: 'deny' },
      { dimension: 'card', event: 'declines', window: '10m', limit: 2, action: 'deny' },
    ],
  },
  rules: [
    {
      id: 'big-ticket',
      description: 'large payments are reviewed',
      action: 'review',
      when: { field: 'payment.amount', op: 'gte', value: 500_000 },
    },
  ],
} as const;

describe('antifraud on the store: velocity, declines, review queue, lists, rules, feedback, backtest', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({
      store: 'postgres',
      // ttl 0: every assessment reads the merchant's config, so a test sees its own changes at once.
      plugins: (store) => [
        antifraud(
          antifraudOnStore(
            {
              ...structuredClone(instanceOptions),
              merchantConfig: { source: storeMerchantConfig(store.antifraud), ttl: 0 },
            } as never,
            store,
          ),
        ),
      ],
    });
  }, 180_000);
  afterAll(async () => {
    await t?.close();
  });

  const pay = async (m: TestMerchant, number: string, extra: Record<string, unknown> = {}) => {
    const created = await m.test.post('/v1/payments', {
      amount: 1500,
      currency: 'eur',
      method: 'card',
      ...extra,
    });
    expect(created.statusCode).toBe(201);
    await t.anonymous.post(`/pay/${created.body.id}`, cardPayload(number));
    return (await m.test.get(`/v1/payments/${created.body.id}`)).body;
  };

  it('documents the antifraud API in the OpenAPI document', async () => {
    const doc = (await t.anonymous.get('/openapi.json')).body;
    for (const path of [
      '/v1/reviews',
      '/v1/reviews/{id}/approve',
      '/v1/antifraud/rules',
      '/v1/antifraud/backtest',
    ]) {
      expect(Object.keys(doc.paths)).toContain(path);
    }
  });

  it('a server wires antifraud instances from the plugins file to the store (velocity and merchant config)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'payrail-af-'));
    try {
      const path = join(dir, 'plugins.json');
      await writeFile(path, JSON.stringify({ antifraud: [{ instanceId: 'strict' }] }));
      const [plugin] = pluginsFromFile(path, {}, { store: t.store });
      const options = plugin?.options as AntifraudOptions;
      expect(options.velocity?.source).toBeInstanceOf(StoreVelocitySource);
      expect(typeof options.merchantConfig?.source.load).toBe('function');
      // Without a store (a library user), the options stay as written: in-memory velocity.
      const [bare] = pluginsFromFile(path, {});
      expect((bare?.options as AntifraudOptions | undefined)?.velocity).toBeUndefined();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('counts card velocity in the store: a third attempt is denied, and another engine on the same database sees the counts', async () => {
    const m = await t.createMerchant();
    const card = freshCard();
    expect((await pay(m, card)).status).toBe('succeeded');
    expect((await pay(m, card)).status).toBe('succeeded');
    const third = await pay(m, card);
    expect(third.status).toBe('failed');
    expect(third.decline.code).toBe('fraud_suspected');
    expect(third.risk.reasons.join()).toContain('velocity:card:payments:10m');

    expect(third.card).toBeNull(); // denied before the acquirer: no card was ever charged
    // Velocity is per instance, across merchants: a card tester moving to another shop is still counted.
    expect((await pay(await t.createMerchant(), card)).status).toBe('failed');

    // Another process (or this one after a restart): a new engine on the same counters sees four attempts.
    const other = createRulesEngine(
      parseAntifraudOptions({
        velocity: {
          source: new StoreVelocitySource(t.store.riskCounters, { namespace: 'antifraud:default' }),
          limits: [{ dimension: 'card', event: 'payments', window: '10m', limit: 4, action: 'deny' }],
          recordAttempts: false,
        },
      }),
      { clock: new ManualClock(new Date()) },
    );
    const firstSucceeded = (await m.test.get('/v1/payments?status=succeeded')).body.data[0];
    const fingerprint = (
      await t.store.payments.get({ merchantId: m.id, mode: 'test', id: firstSucceeded.id })
    )?.card?.fingerprint;
    expect(fingerprint).toMatch(/^[0-9a-f]{64}$/);
    const signal = await other.assess({
      stage: 'pre_authorization',
      payment: {
        id: 'pay_x',
        merchantId: m.id,
        mode: 'test',
        amount: 100,
        currency: 'EUR',
        captureMethod: 'automatic',
        orderId: null,
        description: null,
        customer: null,
        returnUrl: null,
        metadata: {},
        paymentRef: null,
        method: 'card',
      },
      card: {
        brand: 'visa',
        first6: card.slice(0, 6),
        last4: card.slice(-4),
        expMonth: 12,
        expYear: 2040,
        fingerprint,
      },
    });
    expect(signal.verdict).toBe('deny'); // four attempts stored by the server's engine
  });

  it('records provider declines through core’s outcome hook: the third try of a card declined twice is stopped before the acquirer', async () => {
    const m = await t.createMerchant();
    const first = await pay(m, LOST_CARD);
    expect(first.decline.code).toBe('lost_card');
    const second = await pay(m, LOST_CARD);
    expect(second.decline.code).toBe('lost_card');
    const third = await pay(m, LOST_CARD);
    expect(third.decline.code).toBe('fraud_suspected');
    expect(third.risk.reasons.join()).toContain('velocity:card:declines:10m');
  });

  it('holds a review; approve captures, reject voids; both idempotent, the other way refused; another merchant gets 404; timeouts resolve by default', async () => {
    const m = await t.createMerchant();
    const intruder = await t.createMerchant();
    const held = await pay(m, freshCard(), { amount: 600_000 });
    expect(held).toMatchObject({
      status: 'authorized',
      capture_method: 'manual',
      risk: { decision: 'review' },
    });
    const held2 = await pay(m, freshCard(), { amount: 700_000 });

    const list = await m.test.get('/v1/reviews');
    expect(list.body.data.map((r: { id: string }) => r.id)).toEqual([held2.id, held.id]);
    expect(list.body.data[0]).toMatchObject({ object: 'review', status: 'open', score: 60 });
    expect((await intruder.test.get('/v1/reviews')).body.data).toEqual([]);
    expect((await intruder.test.post(`/v1/reviews/${held.id}/approve`)).statusCode).toBe(404);
    expect((await m.live.get(`/v1/reviews/${held.id}`)).statusCode).toBe(404);
    expect((await m.test.post('/v1/reviews/pay_nope/approve')).statusCode).toBe(404);

    const approved = await m.test.post(`/v1/reviews/${held.id}/approve`);
    expect(approved.statusCode).toBe(200);
    expect(approved.body).toMatchObject({
      status: 'approved',
      payment: { status: 'succeeded', amount_captured: 600_000 },
    });
    const again = await m.test.post(`/v1/reviews/${held.id}/approve`);
    expect(again.body).toMatchObject({ status: 'approved', payment: { status: 'succeeded' } });
    const flip = await m.test.post(`/v1/reviews/${held.id}/reject`);
    expect(flip.statusCode).toBe(422); // the catalogue maps INVALID_STATE_TRANSITION to 422
    expect(flip.body.error.code).toBe('PAYRAIL_ERR_INVALID_STATE_TRANSITION');

    const rejected = await m.test.post(`/v1/reviews/${held2.id}/reject`, {}, { 'idempotency-key': 'rej-1' });
    expect(rejected.body).toMatchObject({ status: 'rejected', payment: { status: 'canceled' } });
    const replay = await m.test.post(`/v1/reviews/${held2.id}/reject`, {}, { 'idempotency-key': 'rej-1' });
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect((await m.test.get('/v1/reviews')).body.data).toEqual([]);

    const audit = await m.test.get('/v1/antifraud/audit');
    expect(audit.body.data.map((a: { action: string }) => a.action)).toEqual([
      'review.rejected',
      'review.approved',
    ]);
    expect(audit.body.data[0].actor).toMatch(/^api_key:key_/);

    // Left open past the timeout: resolved by the configured default (here: approve).
    const stale = await pay(m, freshCard(), { amount: 800_000 });
    const queue = reviewQueue(t.services, { timeoutMs: 3_600_000, defaultAction: 'approve' });
    const early = await queue.resolveExpiredReviews({ now: new Date() });
    expect(early.approved).toBe(0);
    const late = await queue.resolveExpiredReviews({
      now: new Date(Date.now() + 2 * 3_600_000),
      limit: 1000,
    });
    expect(late.approved).toBeGreaterThanOrEqual(1);
    expect((await m.test.get(`/v1/reviews/${stale.id}`)).body).toMatchObject({ status: 'approved' });
    const trail = await m.test.get('/v1/antifraud/audit');
    expect(trail.body.data[0]).toMatchObject({
      action: 'review.approved',
      actor: 'system:review_timeout',
      object_id: stale.id,
    });
  });

  it('merchant lists and rules: CRUD with validation and audit, applied at decision time to that merchant only', async () => {
    const m = await t.createMerchant();
    const bystander = await t.createMerchant();

    const bad = await m.test.post('/v1/antifraud/lists', { list: 'block', kind: 'ip', value: '10.0.0.0/99' });
    expect(bad.statusCode).toBe(400);
    const entry = await m.test.post('/v1/antifraud/lists', {
      list: 'block',
      kind: 'email',
      value: ' Mule@Example.COM ',
      note: 'known mule',
    });
    expect(entry.body).toMatchObject({
      object: 'antifraud_list_entry',
      value: 'mule@example.com',
      expires_at: null,
    });
    const same = await m.test.post('/v1/antifraud/lists', {
      list: 'block',
      kind: 'email',
      value: 'mule@example.com',
      expires_at: '2100-01-01T00:00:00Z',
    });
    expect(same.body).toMatchObject({ id: entry.body.id, expires_at: '2100-01-01T00:00:00.000Z' });

    const blocked = await pay(m, freshCard(), { customer: { email: 'mule@example.com' } });
    expect(blocked.decline.code).toBe('fraud_suspected');
    expect(blocked.risk.reasons.join()).toContain('merchant:list:block:email');
    const elsewhere = await pay(bystander, freshCard(), { customer: { email: 'mule@example.com' } });
    expect(elsewhere.status).toBe('succeeded');

    expect((await bystander.test.get('/v1/antifraud/lists')).body.data).toEqual([]);
    const intruderDelete = await inject(
      t,
      bystander.testKey,
      'DELETE',
      `/v1/antifraud/lists/${entry.body.id}`,
    );
    expect(intruderDelete.statusCode).toBe(404);
    const deleted = await inject(t, m.testKey, 'DELETE', `/v1/antifraud/lists/${entry.body.id}`);
    expect(deleted.statusCode).toBe(200);
    expect((await pay(m, freshCard(), { customer: { email: 'mule@example.com' } })).status).toBe('succeeded');

    // Rules: the whole set validated with paths, versioned; one rule added and deleted.
    const invalid = await inject(t, m.testKey, 'PUT', '/v1/antifraud/rules', {
      rules: [
        {
          id: 'x',
          description: 'x',
          action: 'deny',
          when: { field: 'payment.amount', op: 'gt', value: 'lots' },
        },
      ],
    });
    expect(invalid.statusCode).toBe(400);
    expect(JSON.stringify(invalid.body)).toContain('needs a finite number');
    const put = await inject(t, m.testKey, 'PUT', '/v1/antifraud/rules', {
      expected_version: 0,
      rules: [
        {
          id: 'vip-order',
          description: 'orders tagged risky are denied',
          action: 'deny',
          when: { field: 'payment.metadata.segment', op: 'eq', value: 'risky' },
        },
      ],
    });
    expect(put.body).toMatchObject({ object: 'antifraud_rules', version: 1 });
    const stale = await inject(t, m.testKey, 'PUT', '/v1/antifraud/rules', {
      expected_version: 0,
      rules: [],
    });
    expect(stale.statusCode).toBe(409);
    const denied = await pay(m, freshCard(), { metadata: { segment: 'risky' } });
    expect(denied.risk.reasons.join()).toContain('merchant:rule:vip-order');
    expect((await pay(bystander, freshCard(), { metadata: { segment: 'risky' } })).status).toBe('succeeded');

    const added = await m.test.post('/v1/antifraud/rules', {
      rule: {
        id: 'tiny',
        description: 'tiny payments reviewed',
        action: 'review',
        when: { field: 'payment.amount', op: 'lt', value: 100 },
      },
    });
    expect(added.body.version).toBe(2);
    expect(added.body.rules.map((r: { id: string }) => r.id)).toEqual(['vip-order', 'tiny']);
    const dup = await m.test.post('/v1/antifraud/rules', { rule: added.body.rules[1] });
    expect(dup.statusCode).toBe(400);
    const removed = await inject(t, m.testKey, 'DELETE', '/v1/antifraud/rules/vip-order');
    expect(removed.body.rules.map((r: { id: string }) => r.id)).toEqual(['tiny']);
    expect((await inject(t, m.testKey, 'DELETE', '/v1/antifraud/rules/vip-order')).statusCode).toBe(404);
    expect((await pay(m, freshCard(), { metadata: { segment: 'risky' } })).status).toBe('succeeded');

    const audit = await m.test.get('/v1/antifraud/audit?limit=100');
    expect(audit.body.data.map((a: { action: string }) => a.action)).toEqual([
      'rules.rule_deleted',
      'rules.rule_added',
      'rules.replaced',
      'list_entry.deleted',
      'list_entry.upserted',
      'list_entry.upserted',
    ]);
    expect(audit.body.data[2]).toMatchObject({
      before: null,
      after: [expect.objectContaining({ id: 'vip-order' })],
    });
    expect((await bystander.test.get('/v1/antifraud/audit')).body.data).toEqual([]);
  });

  it('a fraud report marks the payment once and can block its card and email; a backtest replays a candidate rule set', async () => {
    const m = await t.createMerchant();
    const from = new Date(Date.now() - 1000).toISOString();
    const fraudCard = freshCard();
    const fraud = await pay(m, fraudCard, { amount: 9_000, customer: { email: 'thief@example.com' } });
    expect(fraud.status).toBe('succeeded');
    const good = [await pay(m, freshCard(), { amount: 1_000 }), await pay(m, freshCard(), { amount: 2_000 })];
    const abandoned = await m.test.post('/v1/payments', { amount: 50, currency: 'eur', method: 'card' });

    const report = await m.test.post('/v1/antifraud/fraud-reports', {
      payment_id: fraud.id,
      note: 'chargeback 10.4',
      block_card: true,
      block_email: true,
    });
    expect(report.statusCode).toBe(200);
    expect(report.body).toMatchObject({ created: true, payment_id: fraud.id });
    expect(report.body.blocked.map((b: { kind: string }) => b.kind)).toEqual(['card_fingerprint', 'email']);
    const repeat = await m.test.post('/v1/antifraud/fraud-reports', { payment_id: fraud.id });
    expect(repeat.body).toMatchObject({ created: false, blocked: [] });
    const foreign = await (await t.createMerchant()).test.post('/v1/antifraud/fraud-reports', {
      payment_id: fraud.id,
    });
    expect(foreign.statusCode).toBe(404);

    // The same card and email are stopped now (the instance velocity limit is not what stops them: a new card).
    const again = await pay(m, freshCard(), { customer: { email: 'thief@example.com' } });
    expect(again.risk.reasons.join()).toContain('merchant:list:block:email');

    const to = new Date(Date.now() + 1000).toISOString();
    const backtest = await m.test.post('/v1/antifraud/backtest', {
      from,
      to,
      include_lists: false,
      rules: [
        {
          id: 'over-50',
          description: 'over 50.00 is denied',
          action: 'deny',
          when: { field: 'payment.amount', op: 'gt', value: 5_000 },
        },
        {
          id: 'over-15',
          description: 'over 15.00 is reviewed',
          action: 'review',
          when: { field: 'payment.amount', op: 'gt', value: 1_500 },
        },
      ],
    });
    expect(backtest.statusCode).toBe(200);
    // Replayed: fraud (9 000), two good (1 000, 2 000), the denied retry (1 500); not the abandoned one.
    expect(backtest.body).toMatchObject({
      object: 'backtest',
      payments: 4,
      candidate: { allow: 2, review: 1, challenge: 0, deny: 1 },
      actual: { allow: 3, deny: 1, review: 0, challenge: 0, none: 0 },
      known_fraud: { total: 1, caught: 1, denied: 1, missed: 0 },
      false_positives: 0,
      false_reviews: 1,
    });
    expect(backtest.body.examples.map((e: { payment_id: string }) => e.payment_id)).toEqual([
      fraud.id,
      good[1]?.id,
      again.id,
    ]);
    expect(backtest.body.examples.map((e: { payment_id: string }) => e.payment_id)).not.toContain(
      abandoned.body.id,
    );

    const withLists = await m.test.post('/v1/antifraud/backtest', { from, to, rules: [] });
    expect(withLists.body.candidate).toMatchObject({ deny: 2, allow: 2 }); // the blocked card's and email's payments
    const invalid = await m.test.post('/v1/antifraud/backtest', { from: to, to: from, rules: [] });
    expect(invalid.statusCode).toBe(400);
  });
});

async function inject(t: TestApp, key: string, method: 'PUT' | 'DELETE', url: string, body?: unknown) {
  const response = await t.app.inject({
    method,
    url,
    headers: {
      authorization: `Bearer ${key}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  });
  return Object.assign(response, { body: response.body ? JSON.parse(response.body) : undefined });
}
