import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isPayrailError } from '@payrail/core';
import { antifraud, storeMerchantConfig } from '@payrail/plugin-antifraud';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { antifraudOnStore } from '../src/antifraud/wiring';
import { backtestFromFlags } from '../src/cli/antifraud-backtest';
import { runCli } from '../src/cli/run-cli';
import { cardPayload, createTestApp, type TestApp, type TestMerchant } from './helpers/test-app';

/** A Luhn-valid Visa number no other test uses: the sandbox approves it; its fingerprint is its own. */
let serial = Math.floor(Math.random() * 1e8);
function freshCard(): string {
  const body = `42${String(serial++).padStart(13, '0')}`;
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

/** An address of TEST-NET-2 no other run of this file uses (velocity by IP is shared by the whole app). */
let host = Math.floor(Math.random() * 200);
const freshIp = () => `198.51.100.${(host++ % 250) + 1}`;

const STORES = ['pglite', 'postgres', 'mongodb'] as const;

describe.each(STORES)(
  'antifraud client data, rules version, fraud reports and CLI backtest on %s',
  (kind) => {
    let t: TestApp;
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'payrail-af-feedback-'));
      t = await createTestApp({
        store: kind,
        plugins: (store) => [
          antifraud(
            antifraudOnStore(
              { merchantConfig: { source: storeMerchantConfig(store.antifraud), ttl: 0 } } as never,
              store,
            ),
          ),
        ],
      });
    }, 180_000);
    afterAll(async () => {
      await t?.close();
      await rm(dir, { recursive: true, force: true });
    });

    /** Creates a card payment and pays it on the payment page from `ip`. */
    const pay = async (
      m: TestMerchant,
      o: { ip: string; card?: string; extra?: Record<string, unknown> },
    ) => {
      const created = await m.test.post('/v1/payments', {
        amount: 1500,
        currency: 'eur',
        method: 'card',
        ...o.extra,
      });
      expect(created.statusCode).toBe(201);
      const paid = await t.app.inject({
        method: 'POST',
        url: `/pay/${created.body.id}`,
        remoteAddress: o.ip,
        headers: { 'content-type': 'application/json', 'user-agent': 'Tester/1.0' },
        payload: JSON.stringify(cardPayload(o.card ?? freshCard())),
      });
      expect(paid.statusCode).toBeLessThan(500);
      return (await m.test.get(`/v1/payments/${created.body.id}`)).body;
    };

    it('documents the new calls and fields in the OpenAPI document', async () => {
      const doc = (await t.anonymous.get('/openapi.json')).body;
      expect(Object.keys(doc.paths)).toEqual(
        expect.arrayContaining(['/v1/payments/{id}/fraud_report', '/v1/antifraud/feedback']),
      );
      expect(Object.keys(doc.components.schemas.Payment.properties)).toEqual(
        expect.arrayContaining(['client', 'billing']),
      );
    });

    it('stores the client and billing data supplied on the payment, and the payment page’s IP and user agent', async () => {
      const m = await t.createMerchant();
      const created = await m.test.post('/v1/payments', {
        amount: 1500,
        currency: 'eur',
        method: 'card',
        client: { ip: '2001:db8::1', country: 'DE' },
        billing: { country: 'NL' },
      });
      expect(created.statusCode).toBe(201);
      expect(created.body.client).toEqual({ ip: '2001:db8::1', user_agent: null, country: 'DE' });
      expect(created.body.billing).toEqual({ country: 'NL' });
      expect(created.body.risk).toBeNull();

      const ip = freshIp();
      await t.app.inject({
        method: 'POST',
        url: `/pay/${created.body.id}`,
        remoteAddress: ip,
        headers: { 'content-type': 'application/json', 'user-agent': 'Tester/1.0' },
        payload: JSON.stringify(cardPayload(freshCard())),
      });
      const paid = (await m.test.get(`/v1/payments/${created.body.id}`)).body;
      expect(paid.status).toBe('succeeded');
      expect(paid.client).toEqual({ ip, user_agent: 'Tester/1.0', country: 'DE' });
      expect(paid.billing).toEqual({ country: 'NL' });
      expect(paid.risk.rules_version).toMatch(/^antifraud:default@[0-9a-f]{16}$/);

      // Without client data nothing is stored until the buyer pays.
      const bare = await m.test.post('/v1/payments', { amount: 100, currency: 'eur', method: 'card' });
      expect(bare.body.client).toBeNull();
      expect(bare.body.billing).toBeNull();
    });

    it.each([
      [{ client: { country: 'de' } }, 'client.country'],
      [{ client: { country: 'XX' } }, 'client.country'],
      [{ client: { ip: '300.1.1.1' } }, 'client.ip'],
      [{ client: { ip: '10.0.0.1', city: 'Berlin' } }, 'client'],
      [{ billing: { country: 'Germany' } }, 'billing.country'],
    ])('refuses bad client data %j with a 400 naming %s', async (extra, param) => {
      const m = await t.createMerchant();
      const res = await m.test.post('/v1/payments', {
        amount: 100,
        currency: 'eur',
        method: 'card',
        ...extra,
      });
      expect(res.statusCode).toBe(400);
      expect(res.body.error.code).toBe('PAYRAIL_ERR_VALIDATION');
      expect(JSON.stringify(res.body.error)).toContain(param);
    });

    it('records a rules version that changes with the merchant’s rules and lists', async () => {
      const m = await t.createMerchant();
      const first = await pay(m, { ip: freshIp() });
      const again = await pay(m, { ip: freshIp() });
      expect(again.risk.rules_version).toBe(first.risk.rules_version);
      const rules = await m.test.post('/v1/antifraud/rules', {
        rule: {
          id: 'huge',
          description: 'huge',
          action: 'review',
          when: { field: 'payment.amount', op: 'gt', value: 10_000_000 },
        },
      });
      expect(rules.statusCode).toBeLessThan(300);
      const afterRule = await pay(m, { ip: freshIp() });
      expect(afterRule.risk.rules_version).not.toBe(first.risk.rules_version);
      await m.test.post('/v1/antifraud/lists', { list: 'block', kind: 'email', value: 'nobody@example.com' });
      const afterList = await pay(m, { ip: freshIp() });
      expect(new Set([first, afterRule, afterList].map((p) => p.risk.rules_version)).size).toBe(3);
    });

    it('stops card testing from one IP with many cards (a merchant rule on distinct cards), while other buyers pass', async () => {
      const m = await t.createMerchant();
      await m.test.post('/v1/antifraud/rules', {
        rule: {
          id: 'card-testing',
          description: 'more than 3 different cards from one IP in an hour',
          action: 'deny',
          when: { field: 'velocity.ip.cards.1h', op: 'gt', value: 3 },
        },
      });
      const attacker = freshIp();
      const attack: string[] = [];
      const control: string[] = [];
      for (let i = 0; i < 6; i++) {
        attack.push((await pay(m, { ip: attacker, extra: { amount: 100 } })).status);
        control.push((await pay(m, { ip: freshIp() })).status);
      }
      expect(attack).toEqual(['succeeded', 'succeeded', 'succeeded', 'failed', 'failed', 'failed']);
      expect(control.every((s) => s === 'succeeded')).toBe(true);
    });

    it('POST /v1/payments/:id/fraud_report stores the mark with its source, blocks per the feedback settings, and is audited', async () => {
      const m = await t.createMerchant();
      const defaults = await m.test.get('/v1/antifraud/feedback');
      expect(defaults.body).toMatchObject({
        auto_block_card: false,
        auto_block_email: false,
        ttl_seconds: null,
      });
      const put = await t.app.inject({
        method: 'PUT',
        url: '/v1/antifraud/feedback',
        headers: { authorization: `Bearer ${m.testKey}`, 'content-type': 'application/json' },
        payload: JSON.stringify({ auto_block_card: true, auto_block_email: false, ttl: '30d' }),
      });
      expect(put.statusCode).toBe(200);
      expect(JSON.parse(put.body)).toMatchObject({ auto_block_card: true, ttl_seconds: 30 * 86_400 });
      const badTtl = await t.app.inject({
        method: 'PUT',
        url: '/v1/antifraud/feedback',
        headers: { authorization: `Bearer ${m.testKey}`, 'content-type': 'application/json' },
        payload: JSON.stringify({ auto_block_card: true, auto_block_email: false, ttl: 'forever' }),
      });
      expect(badTtl.statusCode).toBe(400);

      const card = freshCard();
      const fraud = await pay(m, {
        ip: freshIp(),
        card,
        extra: { customer: { email: 'thief@example.com' } },
      });
      const report = await m.test.post(`/v1/payments/${fraud.id}/fraud_report`, {
        source: 'chargeback',
        note: 'reason code 10.4',
      });
      expect(report.statusCode).toBe(200);
      expect(report.body).toMatchObject({ object: 'fraud_report', source: 'chargeback', created: true });
      // The settings block the card (for 30 days), not the email.
      expect(report.body.blocked).toHaveLength(1);
      expect(report.body.blocked[0]).toMatchObject({ list: 'block', kind: 'card_fingerprint' });
      const expires = Date.parse(report.body.blocked[0].expires_at) - Date.now();
      expect(expires).toBeGreaterThan(29 * 86_400_000);
      expect(expires).toBeLessThanOrEqual(30 * 86_400_000);

      const repeat = await m.test.post(`/v1/payments/${fraud.id}/fraud_report`, { source: 'merchant' });
      expect(repeat.body).toMatchObject({ created: false, source: 'chargeback' });
      // An explicit block_email wins over the settings; the card already blocked for longer is left as is.
      const other = await pay(m, { ip: freshIp(), extra: { customer: { email: 'mule@example.com' } } });
      const explicit = await m.test.post(`/v1/payments/${other.id}/fraud_report`, {
        block_card: false,
        block_email: true,
      });
      expect(explicit.body.blocked.map((b: { kind: string }) => b.kind)).toEqual(['email']);
      expect(explicit.body.source).toBe('merchant');

      const retry = await pay(m, { ip: freshIp(), card });
      expect(retry.status).toBe('failed');
      expect(retry.risk.reasons.join()).toContain('merchant:list:block:card_fingerprint');

      expect(
        (await m.test.post(`/v1/payments/${fraud.id}/fraud_report`, { source: 'bank' })).statusCode,
      ).toBe(400);
      const stranger = await t.createMerchant();
      expect((await stranger.test.post(`/v1/payments/${fraud.id}/fraud_report`)).statusCode).toBe(404);
      expect((await m.test.post('/v1/payments/pay_nope/fraud_report')).statusCode).toBe(404);

      const audit = (await m.test.get('/v1/antifraud/audit?limit=50')).body.data.map(
        (a: { action: string }) => a.action,
      );
      expect(audit).toEqual(
        expect.arrayContaining(['feedback.replaced', 'payment.marked_fraud', 'list_entry.upserted']),
      );
    });

    it('backtests count reported fraud and see the stored client data; the CLI prints the same report', async () => {
      const m = await t.createMerchant();
      const from = new Date(Date.now() - 1000).toISOString();
      const german = await pay(m, {
        ip: freshIp(),
        extra: { amount: 9_000, client: { country: 'DE' }, billing: { country: 'DE' } },
      });
      const local = [
        await pay(m, { ip: freshIp(), extra: { client: { country: 'NL' } } }),
        await pay(m, { ip: freshIp(), extra: { amount: 2_000 } }),
      ];
      await m.test.post(`/v1/payments/${german.id}/fraud_report`, { source: 'chargeback' });
      await m.test.post(`/v1/payments/${local[1]?.id}/fraud_report`);
      const to = new Date(Date.now() + 1000).toISOString();
      const rules = [
        {
          id: 'from-de',
          description: 'buyer IP in Germany',
          action: 'deny',
          when: { field: 'client.country', op: 'eq', value: 'DE' },
        },
        {
          id: 'nl',
          description: 'buyer IP in the Netherlands',
          action: 'review',
          when: { field: 'client.country', op: 'eq', value: 'NL' },
        },
      ];
      const api = await m.test.post('/v1/antifraud/backtest', { from, to, rules, include_lists: false });
      expect(api.statusCode).toBe(200);
      expect(api.body).toMatchObject({
        payments: 3,
        candidate: { allow: 1, review: 1, challenge: 0, deny: 1 },
        known_fraud: { total: 2, caught: 1, denied: 1, missed: 1 },
        false_positives: 0,
        false_reviews: 1,
      });

      const file = join(dir, `rules-${kind}.json`);
      await writeFile(file, JSON.stringify({ rules }));
      const cli = await backtestFromFlags(
        t.store,
        { merchant: m.id, rules: file, from, to, mode: 'test', 'no-lists': true },
        new Date(),
      );
      expect(cli).toEqual(api.body);

      const fails = async (flags: Record<string, string | boolean>) => {
        try {
          await backtestFromFlags(
            t.store,
            { merchant: m.id, rules: file, from, to, mode: 'test', ...flags },
            new Date(),
          );
          return 'ok';
        } catch (error) {
          return isPayrailError(error) ? `${error.code}:${error.param}` : String(error);
        }
      };
      expect(await fails({ from: 'yesterday' })).toBe('PAYRAIL_ERR_VALIDATION:from');
      expect(await fails({ mode: 'prod' })).toBe('PAYRAIL_ERR_VALIDATION:mode');
      expect(await fails({ merchant: 'mer_nobody' })).toBe('PAYRAIL_ERR_MERCHANT_NOT_FOUND:merchant');
      expect(await fails({ rules: join(dir, 'missing.json') })).toBe('PAYRAIL_ERR_VALIDATION:rules');
      await writeFile(join(dir, 'bad.json'), JSON.stringify([{ id: 'x' }]));
      expect(await fails({ rules: join(dir, 'bad.json') })).toBe('PAYRAIL_ERR_VALIDATION:rules');
      expect(await fails({ from: to, to: from })).toBe('PAYRAIL_ERR_VALIDATION:to');
    });
  },
);

describe('payrail antifraud backtest (command line)', () => {
  it('is listed with its flags', async () => {
    const out: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string) => {
      out.push(String(chunk));
      return true;
    }) as typeof process.stdout.write;
    try {
      expect(await runCli(['antifraud', 'backtest', '--help'])).toBe(0);
    } finally {
      process.stdout.write = write;
    }
    expect(out.join('')).toContain(
      'payrail antifraud backtest --merchant ID --rules FILE.json --from DATE --to DATE',
    );
  });
});
