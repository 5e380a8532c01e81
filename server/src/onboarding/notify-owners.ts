import type { Store } from '@payrail/core';
import type { Notifier } from '../accounts/notifications/notifier';
import type { TemplateName } from '../accounts/notifications/templates';

/** Every onboarding step is told to the merchant's owners (in their locale, on their channel). */
export async function notifyOwners(
  deps: { store: Store; notifier: Notifier },
  merchantId: string,
  template: TemplateName,
  vars: Record<string, string | number>,
): Promise<void> {
  const users = await deps.store.users.listByMerchant({ merchantId });
  for (const owner of users.filter((u) => u.role === 'owner')) {
    deps.notifier.notifyUser(owner, template, vars);
  }
}

/** Where the merchant fills in the application (the personal account's web UI). */
export const applicationLink = (accountUrl: string) => `${accountUrl}/account/onboarding`;
