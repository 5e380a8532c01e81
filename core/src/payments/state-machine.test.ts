import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { PayrailError } from '../errors';
import {
  assertTransition,
  canTransition,
  isAwaitingPayment,
  isCapturedStatus,
  isTerminalStatus,
  PAYMENT_TRANSITIONS,
} from './state-machine';
import { PAYMENT_STATUSES, type PaymentStatus } from './status';

const status = fc.constantFrom(...PAYMENT_STATUSES);
const TERMINAL: PaymentStatus[] = ['refunded', 'canceled', 'failed'];

function reachableFrom(start: PaymentStatus): Set<PaymentStatus> {
  const seen = new Set<PaymentStatus>([start]);
  const queue: PaymentStatus[] = [start];
  while (queue.length > 0) {
    const from = queue.shift()!;
    for (const to of PAYMENT_TRANSITIONS[from]) {
      if (!seen.has(to)) {
        seen.add(to);
        queue.push(to);
      }
    }
  }
  return seen;
}

describe('transition table', () => {
  it('covers exactly the declared statuses and only targets declared statuses', () => {
    expect(Object.keys(PAYMENT_TRANSITIONS).sort()).toEqual([...PAYMENT_STATUSES].sort());
    for (const targets of Object.values(PAYMENT_TRANSITIONS)) {
      for (const to of targets) expect(PAYMENT_STATUSES).toContain(to);
      expect(new Set(targets).size).toBe(targets.length);
    }
  });

  it('has exactly refunded, canceled and failed as terminal states', () => {
    expect(PAYMENT_STATUSES.filter(isTerminalStatus).sort()).toEqual([...TERMINAL].sort());
  });

  it('reaches every status from requires_payment_method', () => {
    expect([...reachableFrom('requires_payment_method')].sort()).toEqual([...PAYMENT_STATUSES].sort());
  });

  it('goes back to requires_payment_method only from processing, and every non-terminal state can end', () => {
    // processing → requires_payment_method: an attempt that provably never reached the provider.
    const backToStart = PAYMENT_STATUSES.filter((from) => canTransition(from, 'requires_payment_method'));
    for (const from of backToStart) expect(from).toBe('processing');
    for (const from of PAYMENT_STATUSES) {
      const reach = reachableFrom(from);
      expect(TERMINAL.some((t) => reach.has(t))).toBe(true);
    }
  });

  it('follows DESIGN.md §5 on money: captured money is only ever refunded, never canceled or failed', () => {
    for (const from of PAYMENT_STATUSES.filter(isCapturedStatus)) {
      for (const to of PAYMENT_TRANSITIONS[from]) expect(isCapturedStatus(to)).toBe(true);
    }
    // An authorization is captured or voided, nothing else.
    expect([...PAYMENT_TRANSITIONS.authorized].sort()).toEqual(['canceled', 'succeeded']);
    // A partial refund may be followed by further partial refunds.
    expect(canTransition('partially_refunded', 'partially_refunded')).toBe(true);
    expect(canTransition('succeeded', 'succeeded')).toBe(false);
  });

  it('classifies helper predicates consistently', () => {
    expect(PAYMENT_STATUSES.filter(isAwaitingPayment).sort()).toEqual([
      'requires_action',
      'requires_payment_method',
    ]);
    expect(PAYMENT_STATUSES.filter(isCapturedStatus).sort()).toEqual([
      'partially_refunded',
      'refunded',
      'succeeded',
    ]);
  });
});

describe('random walks', () => {
  // A walk: at each step pick a random target status; apply it if the table allows it, else expect a throw.
  test.prop([fc.array(status, { maxLength: 40 })])(
    'never leave a terminal state, and assertTransition agrees with canTransition',
    (attempts) => {
      let current: PaymentStatus = 'requires_payment_method';
      for (const next of attempts) {
        const allowed = canTransition(current, next);
        if (isTerminalStatus(current)) expect(allowed).toBe(false);
        if (allowed) {
          expect(() => assertTransition(current, next, 'test')).not.toThrow();
          current = next;
        } else {
          expect(() => assertTransition(current, next, 'test')).toThrow(PayrailError);
        }
      }
    },
  );

  test.prop([fc.array(fc.nat(), { maxLength: 40 })])(
    'walks that only take allowed steps end in a state reachable from the start, and stop at terminals',
    (choices) => {
      let current: PaymentStatus = 'requires_payment_method';
      const visited: PaymentStatus[] = [current];
      for (const choice of choices) {
        const targets: readonly PaymentStatus[] = PAYMENT_TRANSITIONS[current];
        if (targets.length === 0) break;
        current = targets[choice % targets.length]!;
        visited.push(current);
      }
      // Once captured, stays captured; once terminal, the walk ended there.
      const firstCaptured = visited.findIndex(isCapturedStatus);
      if (firstCaptured >= 0) expect(visited.slice(firstCaptured).every(isCapturedStatus)).toBe(true);
      for (const s of visited.slice(0, -1)) expect(isTerminalStatus(s)).toBe(false);
    },
  );
});

describe('assertTransition', () => {
  it('throws PAYRAIL_ERR_INVALID_STATE_TRANSITION naming the action and status', () => {
    try {
      assertTransition('canceled', 'succeeded', 'capture');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(PayrailError);
      const e = err as PayrailError;
      expect(e.code).toBe('PAYRAIL_ERR_INVALID_STATE_TRANSITION');
      expect(e.category).toBe('unprocessable');
      expect(e.retryable).toBe(false);
      expect(e.message).toBe('Cannot capture a payment whose status is "canceled".');
      expect(e.details).toEqual({ status: 'canceled', attempted: 'succeeded' });
    }
  });

  test.prop([status, status])('throws exactly when the table forbids the step', (from, to) => {
    const forbidden = !PAYMENT_TRANSITIONS[from].includes(to);
    let threw = false;
    try {
      assertTransition(from, to, 'move');
    } catch (err) {
      threw = true;
      expect((err as PayrailError).code).toBe('PAYRAIL_ERR_INVALID_STATE_TRANSITION');
    }
    expect(threw).toBe(forbidden);
  });
});
