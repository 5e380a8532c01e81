import { isPayrailError, newId, type Payment, type ReconciliationRun } from '@payrail/core';
import { type PaymentJobDeps, sweep } from './payment-sync';

/**
 * Daily reconciliation: every unsettled payment (requires_payment_method with a provider id,
 * requires_action, processing, authorized) unchanged for `olderThanMs` is compared with its provider via
 * orchestrator.syncPayment, which applies whatever the provider says along the state machine. The run
 * and every status it changed are recorded (`jobs.listReconciliations`).
 *
 * Once per UTC day across all processes: the run claims `reconcile:<date>` and never releases it. Returns
 * the run, or null when today's run was already done (or is running elsewhere).
 */
export async function reconcilePayments(
  deps: PaymentJobDeps,
  options: { olderThanMs: number; maxPerRun?: number; runKey?: string },
): Promise<ReconciliationRun | null> {
  const { store, orchestrator, clock, logger } = deps;
  const startedAt = clock.now();
  const key = options.runKey ?? `reconcile:${startedAt.toISOString().slice(0, 10)}`;
  const claim = await store.jobs.claim({
    key,
    now: startedAt,
    until: new Date(startedAt.getTime() + 400 * 86_400_000),
  });
  if (!claim) return null;
  const updatedBefore = new Date(startedAt.getTime() - options.olderThanMs);
  const max = options.maxPerRun ?? 10_000;
  const run: ReconciliationRun = {
    id: newId('reconciliation', startedAt.getTime()),
    startedAt,
    finishedAt: startedAt,
    checked: 0,
    changes: [],
    errors: [],
  };
  const check = async (payment: Payment) => {
    if (!payment.provider) return;
    run.checked++;
    try {
      const after = await orchestrator.syncPayment({ paymentId: payment.id });
      if (after.status !== payment.status) {
        run.changes.push({ paymentId: payment.id, from: payment.status, to: after.status });
      }
    } catch (error) {
      run.errors.push({
        paymentId: payment.id,
        code: isPayrailError(error) ? error.code : 'PAYRAIL_ERR_INTERNAL',
      });
    }
  };
  for await (const p of sweep(store, {
    statuses: ['requires_action', 'processing', 'authorized'],
    updatedBefore,
    max,
  }))
    await check(p);
  for await (const p of sweep(store, {
    statuses: ['requires_payment_method'],
    updatedBefore,
    max,
    withProviderRef: true,
  }))
    await check(p);
  run.finishedAt = clock.now();
  await store.jobs.recordReconciliation({ run });
  logger.info(
    { runId: run.id, checked: run.checked, changed: run.changes.length, errors: run.errors.length },
    'reconciliation finished',
  );
  return run;
}
