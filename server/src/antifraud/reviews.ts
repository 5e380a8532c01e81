import {
  isCapturedStatus,
  type Logger,
  type MerchantScope,
  newId,
  type Orchestrator,
  type Payment,
  PayrailError,
  type Store,
} from '@payrail/core';

export type ReviewStatus = 'open' | 'approved' | 'rejected';
export type ReviewAction = 'approve' | 'reject';

/**
 * Where a held payment stands. A review is a payment whose risk decision is `review`; core held it as an
 * authorization (when its provider can capture). Open while authorized; approving captures it, rejecting
 * voids it — so the payment's status is the review's state and nothing else has to be kept in sync.
 */
export function reviewStatusOf(payment: Payment): ReviewStatus | null {
  if (payment.risk?.decision !== 'review' || payment.captureMethod !== 'manual') return null;
  if (payment.status === 'authorized') return 'open';
  if (isCapturedStatus(payment.status)) return 'approved';
  if (payment.status === 'canceled') return 'rejected';
  return null;
}

export interface ReviewSettings {
  /** How long a review may stay open before `resolveExpiredReviews` applies `defaultAction`. */
  timeoutMs: number;
  defaultAction: ReviewAction;
}

/** Defaults: reject after 72 h, well before card authorizations lapse (and before the 7-day auto-void). */
export const DEFAULT_REVIEW_SETTINGS: ReviewSettings = { timeoutMs: 72 * 3_600_000, defaultAction: 'reject' };

export interface ReviewQueueServices {
  store: Store;
  orchestrator: Orchestrator;
  logger: Logger;
}

const notFound = (id: string) =>
  new PayrailError('PAYRAIL_ERR_NOT_FOUND', { param: 'id', message: `No review ${id.slice(0, 64)}.` });

/** The review queue's operations, shared by the API routes and the timeout job. */
export function reviewQueue(
  services: ReviewQueueServices,
  settings: ReviewSettings = DEFAULT_REVIEW_SETTINGS,
) {
  const { store, orchestrator, logger } = services;

  async function audit(scope: MerchantScope, actor: string, payment: Payment, action: string, now: Date) {
    await store.antifraud.appendAudit({
      audit: {
        id: newId('audit', now.getTime()),
        merchantId: scope.merchantId,
        mode: scope.mode,
        actor,
        action,
        objectId: payment.id,
        before: { status: 'open' },
        after: { status: reviewStatusOf(payment), payment_status: payment.status },
        createdAt: now,
      },
    });
  }

  /**
   * Approves (captures) or rejects (voids) a review. Idempotent: resolving a review again the same way
   * returns it as it is; the other way is a 409. Another merchant's payment, or one never held for review,
   * is a 404.
   */
  async function resolve(args: {
    scope: MerchantScope;
    id: string;
    action: ReviewAction;
    actor: string;
    now: Date;
  }): Promise<Payment> {
    const payment = await store.payments.get({ ...args.scope, id: args.id });
    const status = payment ? reviewStatusOf(payment) : null;
    if (!payment || status === null) throw notFound(args.id);
    const wanted: ReviewStatus = args.action === 'approve' ? 'approved' : 'rejected';
    if (status === wanted) return payment;
    if (status !== 'open') {
      throw new PayrailError('PAYRAIL_ERR_INVALID_STATE_TRANSITION', {
        message: `This review was already ${status}; it cannot be ${wanted} now.`,
        details: { review_status: status, status: payment.status },
      });
    }
    const resolved =
      args.action === 'approve'
        ? await orchestrator.capturePayment({ scope: args.scope, paymentId: payment.id })
        : await orchestrator.cancelPayment({ scope: args.scope, paymentId: payment.id });
    await audit(args.scope, args.actor, resolved, `review.${wanted}`, args.now);
    return resolved;
  }

  /**
   * Applies the default action to every review open for longer than the timeout, oldest first, in
   * batches. Meant for a periodic job; safe to run from several processes at once (a review resolved
   * concurrently is skipped, as `resolve` is idempotent and the orchestrator's writes are version-checked).
   */
  async function resolveExpiredReviews(args: { now: Date; limit?: number }) {
    const heldBefore = new Date(args.now.getTime() - settings.timeoutMs);
    const held = await store.reviews.listHeldBefore({ heldBefore, limit: args.limit ?? 100 });
    const result = { approved: 0, rejected: 0, failed: 0 };
    for (const payment of held) {
      try {
        await resolve({
          scope: { merchantId: payment.merchantId, mode: payment.mode },
          id: payment.id,
          action: settings.defaultAction,
          actor: 'system:review_timeout',
          now: args.now,
        });
        if (settings.defaultAction === 'approve') result.approved++;
        else result.rejected++;
      } catch (error) {
        result.failed++;
        logger.warn({ paymentId: payment.id, err: error }, 'could not resolve an expired antifraud review');
      }
    }
    return result;
  }

  return { resolve, resolveExpiredReviews, settings };
}

export type ReviewQueue = ReturnType<typeof reviewQueue>;
