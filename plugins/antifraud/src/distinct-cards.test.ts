import { ManualClock } from '@payrail/core';
import { describe, expect, it } from 'vitest';
import { engineOf, input } from '../test/helpers';
import { parseReason } from './engine';
import { parseAntifraudOptions } from './options';

const MIN = 60_000;
const codes = (reasons: string[]) => reasons.map((r) => parseReason(r).code);

/** A payment with card `card` from `ip`, of customer `customer` (when given). */
const attempt = (card: string, ip: string, customer?: string) =>
  input({
    ip,
    card: { fingerprint: card },
    customer: customer ? { id: customer, email: `${customer}@example.com` } : { email: `${card}@x.example` },
  });

describe('distinct cards per IP / email / customer', () => {
  it.each([
    {
      name: 'new cards from one IP count up, this one included',
      dimension: 'ip' as const,
      stream: [
        ['c1', '203.0.113.1'],
        ['c2', '203.0.113.1'],
        ['c3', '203.0.113.1'],
      ],
      expected: [1, 2, 3],
    },
    {
      name: 'the same card again is not a new card',
      dimension: 'ip' as const,
      stream: [
        ['c1', '203.0.113.1'],
        ['c1', '203.0.113.1'],
        ['c2', '203.0.113.1'],
        ['c1', '203.0.113.1'],
      ],
      expected: [1, 1, 2, 2],
    },
    {
      name: 'each IP counts its own cards',
      dimension: 'ip' as const,
      stream: [
        ['c1', '203.0.113.1'],
        ['c2', '203.0.113.2'],
        ['c3', '203.0.113.1'],
      ],
      expected: [1, 1, 2],
    },
    {
      name: 'customer ids count cards per customer',
      dimension: 'customer' as const,
      stream: [
        ['c1', '203.0.113.1', 'cust-1'],
        ['c2', '203.0.113.2', 'cust-1'],
        ['c3', '203.0.113.3', 'cust-2'],
        ['c4', '203.0.113.4', 'cust-1'],
      ],
      expected: [1, 2, 1, 3],
    },
  ])('$name', async ({ dimension, stream, expected }) => {
    const clock = new ManualClock(new Date('2026-03-01T10:00:00Z'));
    // One rule per possible value: the rule that fires names the feature's value.
    const engine = engineOf(
      {
        rules: [1, 2, 3, 4, 5].map((n) => ({
          id: `is-${n}`,
          description: `${n} cards`,
          action: 'review' as const,
          when: { field: `velocity.${dimension}.cards.10m`, op: 'eq' as const, value: n },
        })),
      },
      clock,
    );
    const seen: number[] = [];
    for (const [card, ip, customer] of stream) {
      clock.advance(1_000);
      const { hits } = await engine.evaluate(attempt(card as string, ip as string, customer));
      expect(hits).toHaveLength(1);
      seen.push(Number(hits[0]?.code.replace('rule:is-', '')));
    }
    expect(seen).toEqual(expected);
  });

  it('fires a velocity limit on one more different card than the limit, and forgets after the window', async () => {
    const clock = new ManualClock(new Date('2026-03-01T10:00:00Z'));
    const engine = engineOf(
      {
        velocity: {
          limits: [{ dimension: 'ip', event: 'cards', window: '10m', limit: 2, action: 'deny' }],
        },
      },
      clock,
    );
    const verdicts: string[] = [];
    for (const card of ['c1', 'c2', 'c3', 'c2']) {
      clock.advance(MIN);
      verdicts.push((await engine.assess(attempt(card, '198.51.100.9'))).verdict);
    }
    // c2 again: still three different cards from this IP in the window.
    expect(verdicts).toEqual(['allow', 'allow', 'deny', 'deny']);
    const signal = await engine.assess(attempt('c4', '198.51.100.9'));
    expect(codes(signal.reasons)).toEqual(['velocity:ip:cards:10m']);
    expect(signal.reasons[0]).toContain('4 different cards from this IP address in 10m (limit 2)');
    clock.advance(11 * MIN);
    expect((await engine.assess(attempt('c5', '198.51.100.9'))).verdict).toBe('allow');
    expect((await engine.assess(attempt('c1', '198.51.100.9'))).verdict).toBe('allow');
  });

  it('needs a card fingerprint: without one the feature is absent and nothing fires', async () => {
    const engine = engineOf({
      velocity: { limits: [{ dimension: 'ip', event: 'cards', window: '10m', limit: 0 }] },
    });
    expect((await engine.assess(input({ noCard: true }))).verdict).toBe('allow');
    expect((await engine.assess(input())).verdict).toBe('review');
  });

  it('refuses distinct cards by card, in limits and in rules', () => {
    expect(() =>
      parseAntifraudOptions({
        velocity: { limits: [{ dimension: 'card', event: 'cards', window: '10m', limit: 1 }] },
      }),
    ).toThrow(/velocity\.limits\.0\.event/);
    expect(() =>
      parseAntifraudOptions({
        rules: [
          {
            id: 'r',
            description: 'd',
            action: 'deny',
            when: { field: 'velocity.card.cards.10m', op: 'gt', value: 1 },
          },
        ],
      }),
    ).toThrow(/rules\.0\.when\.field/);
  });
});
