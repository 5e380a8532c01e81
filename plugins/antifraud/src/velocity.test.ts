import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { InMemoryVelocitySource, type VelocityQuery } from './velocity';

const MIN = 60_000;
const T0 = Date.UTC(2026, 0, 1);
const at = (ms: number) => new Date(T0 + ms);
const q = (windowMs: number, key = 'fp1', event: VelocityQuery['event'] = 'payment'): VelocityQuery => ({
  dimension: 'card',
  key,
  event,
  windowMs,
});

describe('InMemoryVelocitySource', () => {
  it('counts events inside a sliding window and forgets them as it slides', () => {
    const v = new InMemoryVelocitySource({ retentionMs: 60 * MIN });
    v.record({ event: 'payment', keys: { card: 'fp1' }, at: at(0) });
    v.record({ event: 'payment', keys: { card: 'fp1' }, at: at(5 * MIN) });
    v.record({ event: 'payment', keys: { card: 'fp1' }, at: at(9 * MIN) });
    expect(v.count([q(10 * MIN)], at(9 * MIN))).toEqual([3]);
    // At 12 min the 10-minute window starts at 2 min: the event at 0 has slid out.
    expect(v.count([q(10 * MIN)], at(12 * MIN))).toEqual([2]);
    expect(v.count([q(10 * MIN)], at(16 * MIN))).toEqual([1]);
    expect(v.count([q(10 * MIN)], at(20 * MIN))).toEqual([0]);
    // A longer window at the same instant still sees them all.
    expect(v.count([q(30 * MIN)], at(20 * MIN))).toEqual([3]);
  });

  it('keeps keys, dimensions and events apart, and answers a batch in order', () => {
    const v = new InMemoryVelocitySource();
    v.record({ event: 'payment', keys: { card: 'fp1', email: 'a@b.c', ip: '10.0.0.1' }, at: at(0) });
    v.record({ event: 'decline', keys: { card: 'fp1' }, at: at(0) });
    v.record({ event: 'decline', keys: { card: 'fp1' }, at: at(1000) });
    expect(
      v.count(
        [
          q(MIN),
          q(MIN, 'fp1', 'decline'),
          q(MIN, 'fp2'),
          { dimension: 'email', key: 'a@b.c', event: 'payment', windowMs: MIN },
          { dimension: 'ip', key: 'fp1', event: 'payment', windowMs: MIN },
        ],
        at(2000),
      ),
    ).toEqual([1, 2, 0, 1, 0]);
  });

  it('does not count events after the asked instant', () => {
    const v = new InMemoryVelocitySource();
    v.record({ event: 'payment', keys: { card: 'fp1' }, at: at(10 * MIN) });
    expect(v.count([q(60 * MIN)], at(5 * MIN))).toEqual([0]);
  });

  it('bounds memory: least recently written keys are evicted past maxKeys', () => {
    const v = new InMemoryVelocitySource({ maxKeys: 3 });
    for (const [i, key] of ['a', 'b', 'c'].entries())
      v.record({ event: 'payment', keys: { card: key }, at: at(i) });
    v.record({ event: 'payment', keys: { card: 'a' }, at: at(10) }); // a becomes the most recent
    v.record({ event: 'payment', keys: { card: 'd' }, at: at(11) }); // evicts b
    expect(v.size).toBe(3);
    expect(v.count([q(MIN, 'a'), q(MIN, 'b'), q(MIN, 'c'), q(MIN, 'd')], at(20))).toEqual([2, 0, 1, 1]);
  });

  it('bounds buckets per key by merging the oldest forward, never losing a count', () => {
    const v = new InMemoryVelocitySource({ resolutionMs: 1000, maxBucketsPerKey: 4 });
    for (let i = 0; i < 10; i++) v.record({ event: 'payment', keys: { card: 'fp1' }, at: at(i * 1000) });
    expect(v.count([q(60 * MIN)], at(10_000))).toEqual([10]);
  });

  it('drops events older than the retention and sweeps idle keys', () => {
    const v = new InMemoryVelocitySource({ retentionMs: 10 * MIN });
    v.record({ event: 'payment', keys: { card: 'old' }, at: at(0) });
    v.record({ event: 'payment', keys: { card: 'fp1' }, at: at(0) });
    v.record({ event: 'payment', keys: { card: 'fp1' }, at: at(30 * MIN) });
    expect(v.count([q(10 * MIN)], at(30 * MIN))).toEqual([1]);
    v.sweep(at(30 * MIN));
    expect(v.size).toBe(1);
  });

  it('refuses nonsensical settings', () => {
    expect(() => new InMemoryVelocitySource({ resolutionMs: 0 })).toThrow(/resolutionMs/);
    expect(() => new InMemoryVelocitySource({ maxBucketsPerKey: 1 })).toThrow(/maxBucketsPerKey/);
  });

  test.prop(
    [
      fc.array(fc.integer({ min: 0, max: 120 * MIN }), { minLength: 0, maxLength: 200 }),
      fc.integer({ min: 1, max: 60 * MIN }),
      fc.integer({ min: 0, max: 120 * MIN }),
    ],
    { numRuns: 200 },
  )(
    'counts exactly what a naive log counts, to within one bucket at the window edge',
    (times, windowMs, now) => {
      const resolution = 1000;
      const v = new InMemoryVelocitySource({
        retentionMs: 120 * MIN,
        resolutionMs: resolution,
        maxBucketsPerKey: 100_000,
      });
      const sorted = [...times].sort((a, b) => a - b);
      for (const t of sorted) v.record({ event: 'payment', keys: { card: 'k' }, at: at(t) });
      const [counted] = v.count([q(windowMs, 'k')], at(now));
      const exact = sorted.filter((t) => t > now - windowMs && t <= now).length;
      const bucketEnd = now - (now % resolution) + resolution;
      const widened = sorted.filter((t) => t > now - windowMs - resolution && t < bucketEnd).length;
      // Never fewer than the exact count (safe side); never more than a window widened by one bucket at
      // each edge (the oldest bucket overlapping the window and the bucket holding `now` count whole).
      expect(counted).toBeGreaterThanOrEqual(exact);
      expect(counted).toBeLessThanOrEqual(widened);
    },
  );
});
