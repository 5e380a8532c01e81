import { formatDecimal, newId } from '@payrail/core';
import type { TrialExpiryDeps } from '../jobs/trial-expiry';
import { applicationLink, notifyOwners } from './notify-owners';

/**
 * How long an approval is left to its own request before the job treats it as interrupted: far longer
 * than a review request takes, so the job never completes (and notifies) an approval still in flight.
 */
export const APPROVAL_RESUME_AFTER_MS = 10 * 60_000;

/**
 * Completes approvals whose merchant write was interrupted by a crash (MongoDB, which has no transaction:
 * stores/mongodb applications.ts; PostgreSQL has nothing to resume). Runs in the recurring job
 * `onboarding.expire_trials`. The store returns each interrupted approval to exactly one caller, which
 * then writes the audit entry and tells the owners — the steps the interrupted request never reached —
 * so running it again, or in several processes at once, adds nothing. Returns how many it completed.
 */
export async function resumeApprovals(deps: TrialExpiryDeps): Promise<number> {
  const { store, clock, logger, notifier } = deps;
  const resumeGrants = store.applications.resumeGrants?.bind(store.applications);
  if (!resumeGrants) return 0;
  let resumed = 0;
  for (;;) {
    const now = clock.now();
    const done = await resumeGrants({
      approvedBefore: new Date(now.getTime() - APPROVAL_RESUME_AFTER_MS),
      limit: 100,
    });
    for (const application of done) {
      resumed++;
      const approval = [...application.history].reverse().find((s) => s.action === 'approved');
      const fee = application.decision?.connectionFee;
      await store.auditLog.insert({
        entry: {
          id: newId('audit', now.getTime()),
          merchantId: application.merchantId,
          // The reviewer who approved; the entry is otherwise what the review request would have written.
          userId: approval?.actorId ?? null,
          type: 'application.approved',
          ip: '',
          userAgent: 'payrail-jobs',
          data: {
            application_id: application.id,
            resumed: true,
            ...(application.decision
              ? {
                  tariff: {
                    percent_bps: application.decision.tariff.percentBps,
                    fixed: application.decision.tariff.fixed,
                  },
                  connection_fee: application.decision.connectionFee,
                }
              : {}),
          },
          createdAt: now,
        },
      });
      if (notifier) {
        const merchant = await store.merchants.get({ id: application.merchantId });
        await notifyOwners({ store, notifier }, application.merchantId, 'application_approved', {
          merchant: merchant?.name ?? '',
          comment: '',
          reason: '',
          fee: fee ? `${formatDecimal(fee.amount, fee.currency)} ${fee.currency}` : '',
          link: applicationLink(deps.accountUrl ?? ''),
        });
      }
    }
    if (done.length < 100) break;
  }
  if (resumed > 0) logger.warn({ resumed }, 'interrupted application approvals completed');
  return resumed;
}
