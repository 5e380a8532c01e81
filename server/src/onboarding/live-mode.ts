import { type Merchant, onboardingOf, PayrailError } from '@payrail/core';

/** Live mode is open once the PSP approved the merchant (or the operator created it live). */
export const isLiveEnabled = (merchant: Merchant): boolean => onboardingOf(merchant).liveEnabledAt !== null;

/** 403 PAYRAIL_ERR_LIVE_MODE_NOT_ENABLED for a live key of a merchant whose live mode is still closed. */
export function assertLiveModeEnabled(merchant: Merchant | null): void {
  if (merchant && isLiveEnabled(merchant)) return;
  throw new PayrailError('PAYRAIL_ERR_LIVE_MODE_NOT_ENABLED', {
    message:
      'Live mode is not open for this merchant yet. Use your test key, or apply for a live account in the personal account (POST /v1/account/onboarding/application/submit); live keys work once the PSP approves it.',
  });
}
