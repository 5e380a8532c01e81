import { ManualClock } from '@payrail/core';
import { describe, expect, it } from 'vitest';
import { engineOf, input } from '../test/helpers';
import { parseReason } from './engine';
import type { RuleInput } from './rule-schema';
import { InMemoryVelocitySource } from './velocity';

const MIN = 60_000;
const deny = (id: string, when: RuleInput['when'], score?: number): RuleInput => ({
  id,
  description: `${id} matched`,
  action: 'deny',
  when,
  ...(score === undefined ? {} : { score }),
});
const always: RuleInput['when'] = { field: 'payment.amount', op: 'gte', value: 0 };
const codes = (reasons: string[]) => reasons.map((r) => parseReason(r).code);

describe('decision', () => {
  it('allows with score 0 and no reasons when nothing matches', async () => {
    expect(await engineOf({}).assess(input())).toEqual({
      verdict: 'allow',
      score: 0,
      reasons: [],
      rulesVersion: expect.stringMatching(/^[0-9a-f]{16}$/),
    });
  });

  it('lets deny win over review and challenge, keeps every reason, takes the highest score', async () => {
    const engine = engineOf({
      rules: [
        { id: 'r-review', description: 'big', action: 'review', when: always, score: 80 },
        deny('r-deny', always, 40),
        { id: 'r-challenge', description: 'mid', action: 'challenge', when: always },
      ],
    });
    const signal = await engine.assess(input());
    expect(signal.verdict).toBe('deny');
    expect(signal.score).toBe(80);
    expect(signal.reasons).toEqual([
      'rule:r-review: big',
      'rule:r-deny: r-deny matched',
      'rule:r-challenge: mid',
    ]);
  });

  it('gives each action its default score', async () => {
    const score = async (action: RuleInput['action']) =>
      (await engineOf({ rules: [{ id: 'r', description: 'd', action, when: always }] }).assess(input()))
        .score;
    expect([await score('review'), await score('challenge'), await score('deny')]).toEqual([60, 75, 100]);
  });

  it('skips disabled rules', async () => {
    const engine = engineOf({ rules: [{ ...deny('off', always), enabled: false }] });
    expect((await engine.assess(input())).verdict).toBe('allow');
  });

  it('lets an allow rule short-circuit everything else', async () => {
    const engine = engineOf({
      rules: [
        deny('all', always),
        {
          id: 'vip',
          description: 'VIP customer',
          action: 'allow',
          when: { field: 'customer.email', op: 'eq', value: 'vip@example.com' },
        },
      ],
      lists: { block: { emails: ['vip@example.com'] } },
    });
    expect(await engine.assess(input({ email: 'vip@example.com' }))).toEqual({
      verdict: 'allow',
      score: 0,
      reasons: ['rule:vip: VIP customer'],
      rulesVersion: expect.any(String),
    });
    expect((await engine.assess(input())).verdict).toBe('deny');
  });

  it('applies amount limits per currency, strictly above the limit', async () => {
    const engine = engineOf({ limits: { amount: { max: { RUB: 5_000_000, USD: 100_000 } } } });
    expect((await engine.assess(input({ amount: 5_000_000 }))).verdict).toBe('allow');
    const over = await engine.assess(input({ amount: 5_000_001 }));
    expect(over.verdict).toBe('deny');
    expect(over.reasons[0]).toBe(
      'limit:amount: amount 5000001 RUB (minor units) is above the per-payment limit 5000000',
    );
    expect((await engine.assess(input({ amount: 100_001, currency: 'USD' }))).verdict).toBe('deny');
    expect((await engine.assess(input({ amount: 99_999_999, currency: 'EUR' }))).verdict).toBe('allow');
  });

  it('runs built-in limits before authorization only, and rules at every stage the instance has', async () => {
    const engine = engineOf({
      stages: ['pre_authorization', 'pre_refund'],
      limits: { amount: { max: { RUB: 1 } } },
      rules: [deny('refunds', { field: 'stage', op: 'eq', value: 'pre_refund' })],
    });
    expect(codes((await engine.assess(input({ stage: 'pre_refund' }))).reasons)).toEqual(['rule:refunds']);
    expect(codes((await engine.assess(input())).reasons)).toEqual(['limit:amount']);
  });

  it('returns allow for a stage the instance does not assess', async () => {
    const engine = engineOf({ rules: [deny('all', always)] });
    expect((await engine.assess(input({ stage: 'pre_refund' }))).verdict).toBe('allow');
  });
});

describe('lists', () => {
  it('an allow-list hit short-circuits to allow, over block lists and rules', async () => {
    const engine = engineOf({
      rules: [deny('all', always)],
      limits: { amount: { max: { RUB: 1 } } },
      lists: { allow: { ips: ['203.0.113.0/24'] }, block: { cardFingerprints: ['fp_card_1'] } },
    });
    expect(await engine.assess(input())).toEqual({
      verdict: 'allow',
      score: 0,
      reasons: ['list:allow:ip: IP address 203.0.113.7 is on the allow list'],
      rulesVersion: expect.any(String),
    });
  });

  it('blocks by fingerprint, email, domain, IP (v4 and v6 CIDR) and IIN prefix', async () => {
    const engine = engineOf({
      lists: {
        block: {
          cardFingerprints: ['fp_bad'],
          emails: ['Fraud@Example.com'],
          emailDomains: ['mailinator.com'],
          ips: ['198.51.100.0/24', '2001:db8:bad::/48'],
          iins: ['4000', '220000'],
        },
      },
    });
    const code = async (o: Parameters<typeof input>[0]) => codes((await engine.assess(input(o))).reasons);
    expect(await code({ card: { fingerprint: 'fp_bad' } })).toEqual(['list:block:card_fingerprint']);
    expect(await code({ email: 'fraud@example.COM' })).toEqual(['list:block:email']);
    expect(await code({ email: 'x@mailinator.com' })).toEqual(['list:block:email_domain']);
    expect(await code({ ip: '198.51.100.200' })).toEqual(['list:block:ip']);
    expect(await code({ ip: '::ffff:198.51.100.1' })).toEqual(['list:block:ip']);
    expect(await code({ ip: '2001:db8:bad:1::5' })).toEqual(['list:block:ip']);
    expect(await code({ ip: '2001:db8:bae::1' })).toEqual([]);
    expect(await code({ card: { first6: '400012' } })).toEqual(['list:block:iin']);
    expect(await code({ card: { first6: '220000' } })).toEqual(['list:block:iin']);
    expect(await code({ card: { first6: '220001' } })).toEqual([]);
    expect(await engine.assess(input({ ip: '198.51.100.1' }))).toMatchObject({ verdict: 'deny', score: 100 });
  });

  it('honours entry expiry by the plugin clock', async () => {
    const clock = new ManualClock(new Date('2026-03-01T00:00:00Z'));
    const engine = engineOf(
      {
        lists: {
          block: {
            emails: [
              { value: 'temp@example.com', expiresAt: '2026-03-02T00:00:00Z', note: 'chargeback, 1 day' },
            ],
            ips: [
              { value: '203.0.113.0/24', expiresAt: new Date('2026-03-01T12:00:00Z') },
              '198.51.100.0/24',
            ],
          },
          allow: { cardFingerprints: [{ value: 'fp_trusted', expiresAt: '2026-03-01T06:00:00+03:00' }] },
        },
      },
      clock,
    );
    const verdict = async (o: Parameters<typeof input>[0]) => (await engine.assess(input(o))).verdict;
    expect(await verdict({ email: 'temp@example.com', ip: '10.0.0.1' })).toBe('deny');
    expect(await verdict({ ip: '203.0.113.9' })).toBe('deny');
    expect(await verdict({ card: { fingerprint: 'fp_trusted' }, ip: '198.51.100.1' })).toBe('allow');
    clock.advance(3 * 3600_000); // 03:00Z: the allow entry (06:00+03:00 = 03:00Z) has expired
    expect(await verdict({ card: { fingerprint: 'fp_trusted' }, ip: '198.51.100.1' })).toBe('deny');
    clock.set(new Date('2026-03-01T12:00:00Z')); // exactly at expiry: no longer listed
    expect(await verdict({ ip: '203.0.113.9', email: 'a@b.c' })).toBe('allow');
    expect(await verdict({ ip: '198.51.100.9', email: 'a@b.c' })).toBe('deny'); // no expiry
    clock.set(new Date('2026-03-02T00:00:01Z'));
    expect(await verdict({ email: 'temp@example.com', ip: '10.0.0.1' })).toBe('allow');
  });

  it('reports list option errors by path', async () => {
    expect(() => engineOf({ lists: { block: { ips: ['10.0.0.0/8', '300.0.0.1'], iins: ['42a'] } } })).toThrow(
      /lists\.block\.ips\.1[\s\S]*lists\.block\.iins\.0/,
    );
  });
});

describe('velocity', () => {
  it('counts earlier attempts per card in a sliding window', async () => {
    const clock = new ManualClock();
    const engine = engineOf(
      {
        velocity: {
          limits: [{ dimension: 'card', event: 'payments', window: '10m', limit: 3, action: 'deny' }],
        },
      },
      clock,
    );
    const verdicts: string[] = [];
    for (let i = 0; i < 5; i++) {
      verdicts.push((await engine.assess(input())).verdict);
      clock.advance(MIN);
    }
    // 3 earlier attempts allowed; the 4th earlier one and after hit the limit.
    expect(verdicts).toEqual(['allow', 'allow', 'allow', 'deny', 'deny']);
    const signal = await engine.assess(input());
    expect(signal.reasons).toEqual([
      'velocity:card:payments:10m: 5 earlier payments with this card in 10m (limit 3)',
    ]);
    // Another card is unaffected; ten minutes later the window has slid past the burst.
    expect((await engine.assess(input({ card: { fingerprint: 'fp_other' } }))).verdict).toBe('allow');
    clock.advance(11 * MIN);
    expect((await engine.assess(input())).verdict).toBe('allow');
  });

  it('never lets concurrent attempts both slip under a limit', async () => {
    const engine = engineOf({
      velocity: {
        limits: [{ dimension: 'card', event: 'payments', window: '1h', limit: 1, action: 'deny' }],
      },
    });
    const verdicts = (await Promise.all([1, 2, 3].map(() => engine.assess(input())))).map((s) => s.verdict);
    expect(verdicts.filter((v) => v === 'allow').length).toBeLessThanOrEqual(1);
  });

  it('counts declines reported with recordDecline, per email and per IP', async () => {
    const clock = new ManualClock();
    const engine = engineOf(
      {
        velocity: {
          limits: [
            { dimension: 'email', event: 'declines', window: '1h', limit: 2, action: 'challenge' },
            { dimension: 'ip', event: 'declines', window: '1h', limit: 3 },
          ],
        },
      },
      clock,
    );
    const attempt = input();
    await engine.recordDecline(attempt);
    await engine.recordDecline(attempt);
    const signal = await engine.assess(attempt);
    expect(signal.verdict).toBe('challenge');
    expect(codes(signal.reasons)).toEqual(['velocity:email:declines:1h']);
    await engine.recordDecline(input({ email: 'other@example.com' }));
    expect(codes((await engine.assess(attempt)).reasons)).toEqual([
      'velocity:email:declines:1h',
      'velocity:ip:declines:1h',
    ]);
    clock.advance(61 * MIN);
    expect((await engine.assess(attempt)).verdict).toBe('allow');
  });

  it('exposes velocity counts to declarative rules', async () => {
    const engine = engineOf({
      rules: [deny('ip-burst', { field: 'velocity.ip.payments.1m', op: 'gte', value: 2 })],
    });
    await engine.assess(input({ card: { fingerprint: 'a' } }));
    await engine.assess(input({ card: { fingerprint: 'b' } }));
    expect(codes((await engine.assess(input({ card: { fingerprint: 'c' } }))).reasons)).toEqual([
      'rule:ip-burst',
    ]);
    expect((await engine.assess(input({ ip: '10.9.9.9' }))).verdict).toBe('allow');
  });

  it('does not record attempts when told not to, or at the refund stage', async () => {
    const source = new InMemoryVelocitySource();
    const engine = engineOf({
      stages: ['pre_authorization', 'pre_refund'],
      velocity: {
        source,
        recordAttempts: false,
        limits: [{ dimension: 'card', event: 'payments', window: '1h', limit: 1 }],
      },
    });
    await engine.assess(input());
    await engine.assess(input({ stage: 'pre_refund' }));
    expect(source.size).toBe(0);
    const recording = engineOf({
      stages: ['pre_authorization', 'pre_refund'],
      velocity: { source, limits: [{ dimension: 'card', event: 'payments', window: '1h', limit: 1 }] },
    });
    await recording.assess(input({ stage: 'pre_refund' }));
    expect(source.size).toBe(0);
    await recording.assess(input());
    expect(source.size).toBe(3); // card, email, IP
  });

  it('refuses a window longer than the source keeps', () => {
    expect(() =>
      engineOf({
        velocity: {
          source: new InMemoryVelocitySource({ retentionMs: 3600_000 }),
          limits: [{ dimension: 'card', event: 'payments', window: '2h', limit: 1 }],
        },
      }),
    ).toThrow(/velocity source keeps 3600000 ms/);
  });

  it('creates no velocity source when nothing needs one', () => {
    expect(engineOf({ rules: [deny('x', always)] }).velocity).toBeUndefined();
    expect(engineOf({ limits: { newCard: { above: { RUB: 1 } } } }).velocity).toBeInstanceOf(
      InMemoryVelocitySource,
    );
  });
});

describe('new card above a threshold', () => {
  it('flags the first payment of a card above the threshold, not later ones', async () => {
    const clock = new ManualClock();
    const engine = engineOf({ limits: { newCard: { above: { RUB: 300_000 }, lookback: '7d' } } }, clock);
    const first = await engine.assess(input({ amount: 300_001 }));
    expect(first.verdict).toBe('challenge');
    expect(first.reasons).toEqual([
      'limit:new_card: first payment of this card in 7d is above 300000 RUB (minor units)',
    ]);
    expect((await engine.assess(input({ amount: 300_001 }))).verdict).toBe('allow'); // seen now
    expect((await engine.assess(input({ amount: 300_000, card: { fingerprint: 'new2' } }))).verdict).toBe(
      'allow',
    );
    clock.advance(8 * 86_400_000);
    expect((await engine.assess(input({ amount: 400_000 }))).verdict).toBe('challenge'); // forgotten after 7d
  });

  it('does not fire without a fingerprint', async () => {
    const engine = engineOf({ limits: { newCard: { above: { RUB: 1 } } } });
    expect((await engine.assess(input({ noCard: true }))).verdict).toBe('allow');
  });
});

describe('options', () => {
  it('report problems by path', () => {
    expect(() => engineOf({ limits: { amount: { max: { rub: 1, XXY: 2 } } } } as never)).toThrow(
      /limits\.amount\.max\.rub[\s\S]*limits\.amount\.max\.XXY/,
    );
    expect(() =>
      engineOf({
        velocity: { limits: [{ dimension: 'card', event: 'payments', window: '1 hour', limit: 1 }] },
      }),
    ).toThrow(/velocity\.limits\.0\.window/);
    expect(() => engineOf({ velocity: { source: {} as never } })).toThrow(/velocity\.source/);
    expect(() =>
      engineOf({
        rules: [{ id: 'x', description: 'd', action: 'deny', when: { field: 'a', op: 'eq', value: 1 } }],
      }),
    ).toThrow(/rules\.0\.when\.field: unknown field "a"/);
    expect(() => engineOf({ unknown: true } as never)).toThrow(/unknown/);
  });
});
