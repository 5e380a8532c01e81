import { ManualClock, type RiskCounterRepository } from '@payrail/core';
import { describe, expect, it } from 'vitest';
import { input } from '../test/helpers';
import { createRulesEngine } from './engine';
import { parseAntifraudOptions } from './options';
import { StoreVelocitySource } from './store-velocity';

/** The store's risk counters, in memory: counter rows by (key, bucket), as the SQL and Mongo stores keep them. */
function memoryCounters(): Pick<RiskCounterRepository, 'increment' | 'count'> {
  const rows = new Map<string, Map<number, number>>();
  return {
    async increment({ keys, bucket }) {
      for (const key of keys) {
        const buckets = rows.get(key) ?? new Map<number, number>();
        buckets.set(bucket.getTime(), (buckets.get(bucket.getTime()) ?? 0) + 1);
        rows.set(key, buckets);
      }
    },
    async count({ queries }) {
      return queries.map(({ key, since }) => {
        let total = 0;
        for (const [bucket, n] of rows.get(key) ?? []) if (bucket >= since.getTime()) total += n;
        return total;
      });
    },
  };
}

describe('scenario: card testing from one IP with many cards', () => {
  it('is stopped after a few cards while a control stream of ordinary payments passes untouched', async () => {
    const clock = new ManualClock(new Date('2026-03-01T03:00:00Z'));
    const engine = createRulesEngine(
      parseAntifraudOptions({
        velocity: {
          source: new StoreVelocitySource(memoryCounters()),
          limits: [
            { dimension: 'ip', event: 'cards', window: '1h', limit: 3, action: 'deny' },
            { dimension: 'customer', event: 'cards', window: '1h', limit: 3, action: 'deny' },
          ],
        },
      }),
      { clock },
    );
    const tester: string[] = [];
    const control: string[] = [];
    for (let i = 0; i < 40; i++) {
      clock.advance(15_000);
      // The attacker: 1.00 RUB attempts, a new card each time, one IP, a new throwaway email each time.
      const attack = await engine.assess(
        input({
          amount: 100,
          ip: '198.51.100.66',
          email: `t${i}@mailinator.example`,
          card: { fingerprint: `stolen-${i}`, first6: '411111', last4: String(1000 + i) },
        }),
      );
      tester.push(attack.verdict);
      // Ordinary buyers: each their own IP and card; a returning buyer re-uses the same card.
      const buyer = i % 10;
      const ordinary = await engine.assess(
        input({
          amount: 250_000,
          ip: `203.0.113.${buyer + 1}`,
          customer: { id: `cust-${buyer}`, email: `buyer${buyer}@example.com` },
          card: { fingerprint: `own-card-${buyer}` },
        }),
      );
      control.push(ordinary.verdict);
      if (i === 3) expect(attack.reasons[0]).toMatch(/^velocity:ip:cards:1h: 4 different cards/);
    }
    expect(tester.slice(0, 3)).toEqual(['allow', 'allow', 'allow']);
    expect(tester.slice(3).every((v) => v === 'deny')).toBe(true);
    expect(control.every((v) => v === 'allow')).toBe(true);
  });

  it('catches one customer id cycling through cards from changing IPs', async () => {
    const clock = new ManualClock(new Date('2026-03-01T03:00:00Z'));
    const engine = createRulesEngine(
      parseAntifraudOptions({
        velocity: {
          source: new StoreVelocitySource(memoryCounters()),
          limits: [{ dimension: 'customer', event: 'cards', window: '1h', limit: 2, action: 'review' }],
        },
      }),
      { clock },
    );
    const verdicts: string[] = [];
    for (let i = 0; i < 5; i++) {
      clock.advance(60_000);
      const signal = await engine.assess(
        input({
          ip: `192.0.2.${i + 1}`,
          customer: { id: 'cust-9', email: 'c9@example.com' },
          card: { fingerprint: `card-${i}` },
        }),
      );
      verdicts.push(signal.verdict);
    }
    expect(verdicts).toEqual(['allow', 'allow', 'review', 'review', 'review']);
  });
});
