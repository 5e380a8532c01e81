import { PayrailError, type User } from '@payrail/core';
import type { FastifyRequest } from 'fastify';
import { audit } from '../accounts/audit';
import type { AccountsDeps } from '../accounts/deps';
import { generateApiKey } from '../auth/api-keys';
import { applicationLink, notifyOwners } from './notify-owners';

/** The free trial lasts one day; the expiry job (jobs/trial-expiry.ts) closes it. */
export const TRIAL_DURATION_MS = 24 * 60 * 60 * 1000;

/**
 * Starts the merchant's one-day trial (once) and hands out a test-mode key, shown this once, so test
 * mode works at once. Live mode stays closed until the PSP approves an application.
 */
export async function startTrial(
  deps: AccountsDeps,
  request: FastifyRequest,
  owner: User,
  merchantId: string,
) {
  const { store, clock, options } = deps;
  const now = clock.now();
  const merchant = await store.merchants.startTrial({
    id: merchantId,
    startedAt: now,
    endsAt: new Date(now.getTime() + TRIAL_DURATION_MS),
  });
  if (!merchant) throw new PayrailError('PAYRAIL_ERR_TRIAL_ALREADY_STARTED');
  const key = generateApiKey(merchantId, 'test', now);
  await store.apiKeys.insert({ apiKey: key.record });
  await audit(store, request, now, owner, 'onboarding.trial_started', {
    ends_at: merchant.onboarding?.trialEndsAt?.toISOString() ?? null,
  });
  await audit(store, request, now, owner, 'api_key.created', { api_key_id: key.record.id, mode: 'test' });
  await notifyOwners({ store, notifier: options.notifier }, merchantId, 'trial_started', {
    merchant: merchant.name,
    endsAt: (merchant.onboarding?.trialEndsAt ?? now).toISOString(),
    link: applicationLink(options.accountUrl),
  });
  return { merchant, testKey: key };
}
