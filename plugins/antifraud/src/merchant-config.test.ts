import { ManualClock, type Payment } from '@payrail/core';
import { describe, expect, it } from 'vitest';
import { engineOf, input } from '../test/helpers';
import type { MerchantConfig, MerchantConfigSource } from './merchant-config';

/** A merchant config source over a map, counting loads (what the store-backed one does with two reads). */
function configs(map: Record<string, MerchantConfig>) {
  const source = {
    loads: 0,
    async load({ merchantId, mode }: { merchantId: string; mode: string }) {
      source.loads++;
      return map[`${mode}:${merchantId}`] ?? null;
    },
  };
  return source as MerchantConfigSource & { loads: number };
}

describe('merchant layer', () => {
  it("applies a merchant's block list and rules to that merchant and mode only, with prefixed reasons", async () => {
    const source = configs({
      'live:mer_1': {
        rules: [
          {
            id: 'no-gifts',
            description: 'gift cards need review',
            action: 'review',
            when: { field: 'payment.metadata.kind', op: 'eq', value: 'gift' },
          },
        ],
        lists: { block: { emails: ['bad@example.com'] } },
      },
    });
    const engine = engineOf({ merchantConfig: { source, ttl: 0 } });
    expect((await engine.assess(input({ email: 'bad@example.com' }))).reasons).toEqual([
      "merchant:list:block:email: email bad@example.com is on the merchant's block list",
    ]);
    expect((await engine.assess(input({ metadata: { kind: 'gift' } }))).verdict).toBe('review');
    expect((await engine.assess(input({ email: 'bad@example.com', mode: 'test' }))).verdict).toBe('allow');
    const other = input({ email: 'bad@example.com' });
    other.payment.merchantId = 'mer_2';
    expect((await engine.assess(other)).verdict).toBe('allow');
  });

  it('each layer allows only itself: a merchant allow list does not lift the instance block, nor the other way round', async () => {
    const source = configs({
      'live:mer_1': {
        rules: [],
        lists: { allow: { emails: ['vip@example.com'] }, block: { ips: ['203.0.113.0/24'] } },
      },
    });
    const engine = engineOf({
      lists: { block: { emails: ['vip@example.com'] }, allow: { ips: ['203.0.113.7'] } },
      merchantConfig: { source, ttl: 0 },
    });
    const vip = await engine.assess(input({ email: 'vip@example.com', ip: '198.51.100.1' }));
    expect(vip.verdict).toBe('deny');
    expect(vip.reasons.map((r) => r.split(': ')[0])).toEqual([
      'merchant:list:allow:email',
      'list:block:email',
    ]);
    const office = await engine.assess(input({ email: 'a@example.com', ip: '203.0.113.7' }));
    expect(office.verdict).toBe('deny');
    expect(office.reasons.map((r) => r.split(': ')[0])).toEqual(['list:allow:ip', 'merchant:list:block:ip']);
  });

  it('caches a merchant config for the ttl, and counts velocity features only merchant rules use', async () => {
    const clock = new ManualClock();
    const source = configs({
      'live:mer_1': {
        rules: [
          {
            id: 'customer-burst',
            description: 'a customer paying a third time in an hour',
            action: 'deny',
            when: { field: 'velocity.customer.payments.1h', op: 'gte', value: 2 },
          },
        ],
        lists: {},
      },
    });
    const engine = engineOf({ merchantConfig: { source, ttl: '10s' } }, clock);
    const pay = () => engine.assess(input({ customer: { id: 'cus_42', email: 'x@example.com' } }));
    expect((await pay()).verdict).toBe('allow');
    expect((await pay()).verdict).toBe('allow');
    expect((await pay()).verdict).toBe('deny');
    expect(source.loads).toBe(1);
    clock.advance(10_000);
    await pay();
    expect(source.loads).toBe(2);
  });

  it('an invalid stored rule set fails the assessment (core then fails open or closed), and is read again next time', async () => {
    const map: Record<string, MerchantConfig> = {
      'live:mer_1': { rules: [{ id: 'Bad Id', description: 'x', action: 'deny', when: {} }], lists: {} },
    };
    const source = configs(map);
    const engine = engineOf({ merchantConfig: { source, ttl: '1h' } });
    await expect(engine.assess(input())).rejects.toThrow(/merchant antifraud rules are invalid/);
    map['live:mer_1'] = { rules: [], lists: {} };
    expect((await engine.assess(input())).verdict).toBe('allow');
  });
});

describe('onOutcome', () => {
  it('counts a provider decline by card, email and IP; an antifraud deny or a success is not a decline', async () => {
    const engine = engineOf({
      velocity: {
        limits: [{ dimension: 'email', event: 'declines', window: '1h', limit: 1, action: 'deny' }],
      },
    });
    const attempt = input({ email: 'decl@example.com' });
    const after = (status: Payment['status'], code?: string) =>
      ({ status, decline: code ? { code, providerCode: null, message: '' } : null }) as Payment;
    await engine.onOutcome({ input: attempt, payment: after('failed', 'fraud_suspected') });
    await engine.onOutcome({ input: attempt, payment: after('succeeded') });
    expect((await engine.assess(attempt)).verdict).toBe('allow');
    await engine.onOutcome({ input: attempt, payment: after('failed', 'card_declined') });
    const next = await engine.assess(attempt);
    expect(next.verdict).toBe('deny');
    expect(next.reasons[0]).toMatch(/^velocity:email:declines:1h/);
  });
});
