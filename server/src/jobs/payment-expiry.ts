import { isAwaitingPayment, isPayrailError, type Payment } from '@payrail/core';
import { type PaymentJobDeps, sweep } from './payment-sync';

/**
 * Cancels payments nobody paid within `expireAfterMs` (`payment.canceled`). A payment the provider
 * already knows (a wallet bill) is synced first: if the buyer paid at the last minute, that wins, and
 * the cancel withdraws the bill at the provider otherwise. Returns how many it canceled.
 */
export async function expireUnpaidPayments(
  deps: PaymentJobDeps,
  options: { expireAfterMs: number; maxPerRun?: number },
): Promise<number> {
  const now = deps.clock.now();
  const cutoff = new Date(now.getTime() - options.expireAfterMs);
  let canceled = 0;
  for await (const payment of sweep(deps.store, {
    statuses: ['requires_payment_method', 'requires_action'],
    updatedBefore: cutoff,
    max: options.maxPerRun ?? 500,
  })) {
    if (payment.createdAt > cutoff) continue;
    if (await cancelOnce(deps, payment, 'expire', 'unpaid payment expiry')) canceled++;
  }
  return canceled;
}

/**
 * Voids authorizations not captured within `autoVoidAfterMs` (default 7 days, PAYRAIL_AUTO_VOID_AFTER),
 * through the orchestrator's cancel, so the buyer's funds are released. Returns how many it voided.
 */
export async function voidStaleAuthorizations(
  deps: PaymentJobDeps,
  options: { autoVoidAfterMs: number; maxPerRun?: number },
): Promise<number> {
  const now = deps.clock.now();
  let voided = 0;
  for await (const payment of sweep(deps.store, {
    statuses: ['authorized'],
    updatedBefore: new Date(now.getTime() - options.autoVoidAfterMs),
    max: options.maxPerRun ?? 500,
  })) {
    if (await cancelOnce(deps, payment, 'void', 'auto-void of a stale authorization')) voided++;
  }
  return voided;
}

/**
 * One cancel per payment across processes: the claim on `<kind>:<id>` is held for the call, then
 * released on success; a failure keeps it for an hour (backoff) before the next try.
 */
async function cancelOnce(
  deps: PaymentJobDeps,
  payment: Payment,
  kind: string,
  what: string,
): Promise<boolean> {
  const { store, orchestrator, clock, logger } = deps;
  const key = `${kind}:${payment.id}`;
  const now = clock.now();
  const claim = await store.jobs.claim({ key, now, until: new Date(now.getTime() + 3_600_000) });
  if (!claim) return false;
  try {
    let current = payment;
    if (current.provider?.paymentRef && isAwaitingPayment(current.status)) {
      current = await orchestrator.syncPayment({ paymentId: payment.id });
      if (!isAwaitingPayment(current.status)) {
        await store.jobs.release({ key });
        return false;
      }
    }
    const scope = { merchantId: payment.merchantId, mode: payment.mode };
    const after = await orchestrator.cancelPayment({ scope, paymentId: payment.id });
    await store.jobs.release({ key });
    logger.info({ paymentId: payment.id, status: after.status }, what);
    return after.status === 'canceled';
  } catch (error) {
    if (isPayrailError(error) && error.code === 'PAYRAIL_ERR_INVALID_STATE_TRANSITION') {
      // It moved on meanwhile (paid, captured, canceled by the merchant): nothing left to do.
      await store.jobs.release({ key });
      return false;
    }
    logger.warn({ err: error, paymentId: payment.id }, `${what} failed; retrying in an hour`);
    return false;
  }
}
