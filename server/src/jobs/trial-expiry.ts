import { type Clock, type Logger, newId, type Store } from '@payrail/core';
import type { Notifier } from '../accounts/notifications/notifier';
import { applicationLink, notifyOwners } from '../onboarding/notify-owners';

export interface TrialExpiryDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
  /** Tells the owners to apply; no message when absent. */
  notifier?: Notifier | undefined;
  /** The personal account's address, for the link to the application. */
  accountUrl?: string | undefined;
}

/**
 * Closes one-day trials whose end has passed (recurring job `onboarding.expire_trials`): marks each
 * expired, writes the audit log and asks the owners to apply for a live account. Test mode keeps working;
 * live mode was never open. `expireTrial` is a conditional write, so several processes running this at
 * once mark and notify each merchant once. Returns how many trials it closed.
 */
export async function expireTrials(
  deps: TrialExpiryDeps,
  options: { maxPerRun?: number } = {},
): Promise<number> {
  const { store, clock, logger, notifier } = deps;
  const max = options.maxPerRun ?? 1000;
  let expired = 0;
  for (;;) {
    const now = clock.now();
    const due = await store.merchants.listTrialsDue({ now, limit: 100 });
    for (const merchant of due) {
      if (!(await store.merchants.expireTrial({ id: merchant.id, now }))) continue;
      expired++;
      await store.auditLog.insert({
        entry: {
          id: newId('audit', now.getTime()),
          merchantId: merchant.id,
          userId: null,
          type: 'onboarding.trial_expired',
          ip: '',
          userAgent: 'payrail-jobs',
          data: { ends_at: merchant.onboarding?.trialEndsAt?.toISOString() ?? null },
          createdAt: now,
        },
      });
      if (notifier) {
        await notifyOwners({ store, notifier }, merchant.id, 'trial_expired', {
          merchant: merchant.name,
          link: applicationLink(deps.accountUrl ?? ''),
        });
      }
    }
    if (due.length < 100 || expired >= max) break;
  }
  if (expired > 0) logger.info({ expired }, 'free trials expired');
  return expired;
}
