import { PayrailError } from '../errors';
import type { Payment } from '../payments';
import type { CommitResult, PaymentChange, Store } from '../ports/store';

/** What a decision function returns: a change to commit, or a final value with nothing to write. */
export type Decision<T> =
  | {
      change: Omit<PaymentChange, 'expectedVersion'>;
      result: (p: Payment) => T;
      /** For changes that carry a notification receipt: the value when it was applied before. */
      onDuplicate?: () => T;
    }
  | { done: T };

const MAX_ATTEMPTS = 100;

/**
 * Optimistic concurrency: read the payment, decide, commit if nobody changed it meanwhile; on a version
 * conflict read again and decide again. Decisions are pure and fast (no provider calls inside), so a
 * retry is cheap and the invariant checks (e.g. the refundable amount) are re-evaluated on fresh data.
 *
 * Given a payment the caller has just read or committed, the first attempt decides on it instead of
 * reading it again (a database round trip saved on the payment path); if it was stale, the version
 * check refuses the commit and the retry reads fresh data, so the outcome is the same.
 */
export async function commitWithRetry<T>(
  store: Store,
  target: string | Payment,
  decide: (current: Payment) => Decision<T> | Promise<Decision<T>>,
): Promise<T> {
  const paymentId = typeof target === 'string' ? target : target.id;
  let known = typeof target === 'string' ? undefined : target;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const current = known ?? (await store.payments.getById({ id: paymentId }));
    known = undefined;
    if (!current) throw new PayrailError('PAYRAIL_ERR_NOT_FOUND', { message: `No payment ${paymentId}.` });
    const decision = await decide(current);
    if ('done' in decision) return decision.done;
    const outcome: CommitResult = await store.payments.commit({
      ...decision.change,
      expectedVersion: current.version,
    });
    if (outcome.ok) return decision.result(outcome.payment);
    if (outcome.reason === 'duplicate_notification') {
      if (decision.onDuplicate) return decision.onDuplicate();
      throw new PayrailError('PAYRAIL_ERR_INTERNAL', {
        message: 'A notification receipt was written twice.',
      });
    }
    // version conflict: back off a little so concurrent writers interleave instead of colliding again
    await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(50, 2 ** attempt)));
  }
  throw new PayrailError('PAYRAIL_ERR_VERSION_CONFLICT', {
    message: `Payment ${paymentId} is being changed by many requests at once; retry.`,
  });
}
