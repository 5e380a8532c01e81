import { isPayrailError } from '@payrail/core';
import type { PaymentJobDeps } from './payment-sync';

export interface RefundSyncOptions {
  /** A refund is first looked at once it has been pending and unchanged this long (ms; default 1 min). */
  minAgeMs?: number;
  /** First retry delay (ms; default 1 min), doubling per attempt up to `maxDelayMs` (default 6 h). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Refunds looked at per run (default 200). */
  maxPerRun?: number;
}

/**
 * Resolves refunds left `pending` — by a crash between the reservation and the provider call, or by a
 * provider answer that never came — through orchestrator.resolvePendingRefund, with exponential backoff
 * per refund. Each refund's turn is a claim on `refund-sync:<id>`, so two processes never send the same
 * refund at once. A refund stays pending (reserved against the refundable amount) until its provider gives
 * a definite answer: it is never dropped and never made twice. Returns how many refunds it settled.
 */
export async function syncPendingRefunds(
  deps: PaymentJobDeps,
  options: RefundSyncOptions = {},
): Promise<number> {
  const { store, orchestrator, clock, logger } = deps;
  const base = options.baseDelayMs ?? 60_000;
  const max = options.maxDelayMs ?? 6 * 3_600_000;
  const now = clock.now();
  const pending = await store.refunds.listPending({
    updatedBefore: new Date(now.getTime() - (options.minAgeMs ?? 60_000)),
    limit: options.maxPerRun ?? 200,
  });
  let settled = 0;
  for (const refund of pending) {
    const key = `refund-sync:${refund.id}`;
    const claim = await store.jobs.claim({ key, now, until: new Date(now.getTime() + max) });
    if (!claim) continue;
    // Another process may have settled it between our list and our claim (a settled refund's claim is
    // released): look again, so each refund is resolved and counted by one process only.
    const current = await store.refunds.get({
      merchantId: refund.merchantId,
      mode: refund.mode,
      id: refund.id,
    });
    if (current?.status !== 'pending') {
      await store.jobs.release({ key });
      continue;
    }
    const backoff = () =>
      store.jobs.reschedule({
        key,
        nextAt: new Date(clock.now().getTime() + Math.min(base * 2 ** (claim.attempts - 1), max)),
      });
    try {
      const after = await orchestrator.resolvePendingRefund({ refund: current });
      if (after.status === 'pending') {
        await backoff();
        continue;
      }
      settled++;
      await store.jobs.release({ key });
      logger.info({ refundId: refund.id, status: after.status }, 'pending refund settled');
    } catch (error) {
      logger.warn(
        { err: error, refundId: refund.id, code: isPayrailError(error) ? error.code : undefined },
        'pending refund sync failed; retrying later',
      );
      await backoff();
    }
  }
  return settled;
}
