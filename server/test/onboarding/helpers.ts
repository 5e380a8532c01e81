import { DEFAULT_TARIFF, newId, type Store } from '@payrail/core';

/**
 * Opens live mode for a self-registered merchant the way approval does (an approved application written
 * with a live-mode grant), for tests whose subject is not onboarding but that need live keys.
 */
export async function grantLiveMode(store: Store, merchantId: string, now = new Date()): Promise<void> {
  const application = {
    id: newId('application', now.getTime()),
    merchantId,
    status: 'submitted' as const,
    details: {},
    history: [],
    decision: null,
    createdAt: now,
    updatedAt: now,
    version: 1,
  };
  const inserted = await store.applications.insert({ application });
  if (!inserted.ok) throw new Error(`merchant ${merchantId} already has an application`);
  const connectionFee = { amount: 0, currency: 'RUB' };
  const updated = await store.applications.update({
    application: { ...application, status: 'approved', decision: { tariff: DEFAULT_TARIFF, connectionFee } },
    expectedVersion: 1,
    grant: { merchantId, liveEnabledAt: now, tariff: DEFAULT_TARIFF, connectionFee },
  });
  if (!updated.ok) throw new Error('live-mode grant lost a race');
}

/** A complete application body (the acquiring bank is the caller's). */
export const completeApplication = (acquiringBankId: string) => ({
  company_name: 'Romashka LLC',
  registration_number: '7701234567',
  legal_address: 'Moscow, Tverskaya 1',
  contact_phone: '+7 495 123-45-67',
  shop_urls: ['https://romashka.example'],
  expected_monthly_volume: { amount: 150_000_000, currency: 'RUB' },
  acquiring_bank_id: acquiringBankId,
  payment_methods: ['cards', 'qiwi'],
});
