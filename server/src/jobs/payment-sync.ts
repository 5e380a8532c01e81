import { type Clock, isPayrailError, type Logger, type Orchestrator, type Store } from '@payrail/core';

export interface PaymentJobDeps {
  store: Store;
  orchestrator: Orchestrator;
  clock: Clock;
  logger: Logger;
}

/** Payments a provider may still settle on its own: asked about on a backoff schedule. */
const PENDING = ['processing', 'requires_action'] as const;

export interface PaymentSyncOptions {
  /** A payment is first asked about once it has not changed for this long (ms; default 30 s). */
  minAgeMs?: number;
  /** First retry delay (ms; default 1 min), doubling per attempt up to `maxDelayMs` (default 1 h). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Syncing stops when the payment is older than this (ms): the expiry job takes over. */
  expireAfterMs: number;
  /** Payments looked at per run (default 500). */
  maxPerRun?: number;
}

/**
 * Asks providers about pending payments (orchestrator.syncPayment) with exponential backoff per payment,
 * and stops at a terminal state or when the payment expires. Each payment's turn is a claim on
 * `sync:<id>`, so two processes never ask about the same payment at once, and a re-run before the
 * backoff elapsed does nothing. Returns how many payments it synced.
 */
export async function syncPendingPayments(
  deps: PaymentJobDeps,
  options: PaymentSyncOptions,
): Promise<number> {
  const { store, orchestrator, clock, logger } = deps;
  const base = options.baseDelayMs ?? 60_000;
  const max = options.maxDelayMs ?? 3_600_000;
  const now = clock.now();
  let synced = 0;
  for await (const payment of sweep(store, {
    statuses: PENDING,
    updatedBefore: new Date(now.getTime() - (options.minAgeMs ?? 30_000)),
    max: options.maxPerRun ?? 500,
  })) {
    if (!payment.provider) continue;
    const key = `sync:${payment.id}`;
    if (now.getTime() - payment.createdAt.getTime() > options.expireAfterMs) {
      await store.jobs.release({ key });
      continue;
    }
    const claim = await store.jobs.claim({ key, now, until: new Date(now.getTime() + max) });
    if (!claim) continue;
    const backoff = () =>
      store.jobs.reschedule({
        key,
        nextAt: new Date(clock.now().getTime() + Math.min(base * 2 ** (claim.attempts - 1), max)),
      });
    try {
      const after = await orchestrator.syncPayment({ paymentId: payment.id });
      synced++;
      if ((PENDING as readonly string[]).includes(after.status)) await backoff();
      else await store.jobs.release({ key });
    } catch (error) {
      logger.warn(
        { err: error, paymentId: payment.id, code: isPayrailError(error) ? error.code : undefined },
        'payment status sync failed; retrying later',
      );
      await backoff();
    }
  }
  return synced;
}

/** Pages through `jobs.findPayments` by id, at most `max` payments. */
export async function* sweep(
  store: Store,
  args: {
    statuses: Parameters<Store['jobs']['findPayments']>[0]['statuses'];
    updatedBefore: Date;
    max: number;
    withProviderRef?: boolean;
  },
) {
  let afterId: string | undefined;
  let seen = 0;
  while (seen < args.max) {
    const limit = Math.min(100, args.max - seen);
    const page = await store.jobs.findPayments({
      statuses: args.statuses,
      updatedBefore: args.updatedBefore,
      limit,
      ...(afterId ? { afterId } : {}),
      ...(args.withProviderRef ? { withProviderRef: true } : {}),
    });
    for (const payment of page) yield payment;
    seen += page.length;
    if (page.length < limit) return;
    afterId = page.at(-1)?.id;
  }
}
