import type { Tariff } from '../ledger';
import type { Merchant, Page } from './store';

/** An amount in integer minor units of a currency (the connection fee recorded at approval). */
export interface MinorAmount {
  amount: number;
  currency: string;
}

/**
 * Where a merchant stands in onboarding (issue 9). Self-registered merchants start with live mode closed;
 * the PSP opens it by approving their application.
 */
export interface MerchantOnboarding {
  /** When live mode opened; null: live API keys are refused until the PSP approves an application. */
  liveEnabledAt: Date | null;
  /** The one-day free trial: started once, ends by itself (the expiry job sets `trialExpiredAt`). */
  trialStartedAt: Date | null;
  trialEndsAt: Date | null;
  trialExpiredAt: Date | null;
  /** The one-off connection fee the PSP recorded when it approved the application. */
  connectionFee: MinorAmount | null;
}

/**
 * A merchant's onboarding state. Merchants written without one (the operator's `payrail merchant create`,
 * records older than onboarding) count as live since their creation: the operator vouched for them.
 */
export function onboardingOf(merchant: Merchant): MerchantOnboarding {
  return (
    merchant.onboarding ?? {
      liveEnabledAt: merchant.createdAt,
      trialStartedAt: null,
      trialEndsAt: null,
      trialExpiredAt: null,
      connectionFee: null,
    }
  );
}

/** Onboarding writes on merchants; each is one conditional update, so retries and races are harmless. */
export interface MerchantOnboardingRepository {
  /** Starts the trial unless one was started before; the merchant after the change, or null if not started now. */
  startTrial(args: { id: string; startedAt: Date; endsAt: Date }): Promise<Merchant | null>;
  /** Merchants whose trial ended at or before `now` and is not marked expired yet, oldest end first. */
  listTrialsDue(args: { now: Date; limit: number }): Promise<Merchant[]>;
  /** Marks the trial expired; false when it already was (another process got there first). */
  expireTrial(args: { id: string; now: Date }): Promise<boolean>;
  /** Every merchant, newest first (back office); `startingAfter` is an id from the previous page. */
  list(args: { limit: number; startingAfter?: string }): Promise<Page<Merchant>>;
}

/** What approval writes on the merchant, in the same write as the application's status (see applications). */
export interface LiveModeGrant {
  merchantId: string;
  liveEnabledAt: Date;
  tariff: Tariff;
  connectionFee: MinorAmount;
}
