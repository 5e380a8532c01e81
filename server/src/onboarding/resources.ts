import {
  type AcquiringBank,
  type ApplicationStep,
  type Merchant,
  type MerchantApplication,
  onboardingOf,
  type Tariff,
} from '@payrail/core';
import { detailsResource } from './application-details';

const iso = (date: Date | null) => date?.toISOString() ?? null;

export const tariffResource = (tariff: Tariff) => ({ percent_bps: tariff.percentBps, fixed: tariff.fixed });

/** Steps the merchant takes; the others are the PSP's review. */
const MERCHANT_STEPS: ReadonlySet<ApplicationStep['action']> = new Set(['created', 'submitted']);

/**
 * An application as JSON. The merchant sees who acted as `merchant`/`psp`; the back office (`staffView`)
 * also sees the acting user's id.
 */
export function applicationResource(application: MerchantApplication, options: { staffView: boolean }) {
  return {
    id: application.id,
    object: 'merchant_application' as const,
    merchant_id: application.merchantId,
    status: application.status,
    ...detailsResource(application.details),
    decision: application.decision
      ? {
          tariff: tariffResource(application.decision.tariff),
          connection_fee: application.decision.connectionFee,
        }
      : null,
    history: application.history.map((step) => ({
      at: step.at.toISOString(),
      action: step.action,
      status: step.status,
      by: MERCHANT_STEPS.has(step.action) ? ('merchant' as const) : ('psp' as const),
      ...(options.staffView ? { actor_id: step.actorId } : {}),
      comment: step.comment,
    })),
    created_at: application.createdAt.toISOString(),
    updated_at: application.updatedAt.toISOString(),
  };
}

/** Where the trial stands at `now`: it counts as expired from its end, even before the job marked it. */
export function trialStatus(merchant: Merchant, now: Date): 'not_started' | 'active' | 'expired' {
  const o = onboardingOf(merchant);
  if (!o.trialStartedAt || !o.trialEndsAt) return 'not_started';
  return o.trialExpiredAt || o.trialEndsAt <= now ? 'expired' : 'active';
}

/** A merchant's onboarding state as JSON (the merchant's own view and the back office's). */
export function onboardingResource(merchant: Merchant, application: MerchantApplication | null, now: Date) {
  const o = onboardingOf(merchant);
  return {
    live_enabled: o.liveEnabledAt !== null,
    live_enabled_at: iso(o.liveEnabledAt),
    trial: {
      status: trialStatus(merchant, now),
      started_at: iso(o.trialStartedAt),
      ends_at: iso(o.trialEndsAt),
      expired_at: iso(o.trialExpiredAt),
    },
    application: application ? { id: application.id, status: application.status } : null,
    tariff: tariffResource(merchant.tariff),
    connection_fee: o.connectionFee,
  };
}

/** A merchant in the back office. */
export function merchantResource(merchant: Merchant, application: MerchantApplication | null, now: Date) {
  return {
    id: merchant.id,
    object: 'merchant' as const,
    name: merchant.name,
    email: merchant.email,
    created_at: merchant.createdAt.toISOString(),
    onboarding: onboardingResource(merchant, application, now),
  };
}

export const acquiringBankResource = (bank: AcquiringBank) => ({
  id: bank.id,
  object: 'acquiring_bank' as const,
  name: bank.name,
  active: bank.active,
  created_at: bank.createdAt.toISOString(),
  updated_at: bank.updatedAt.toISOString(),
});
