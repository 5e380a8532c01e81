import { type Merchant, type MinorAmount, onboardingOf, type Tariff } from '@payrail/core';
import type { Column } from './sql';

export interface MerchantRow {
  id: string;
  name: string;
  email: string;
  tariff: Tariff;
  provider_routes: Record<string, string>;
  created_at: Date;
  live_enabled_at: Date | null;
  trial_started_at: Date | null;
  trial_ends_at: Date | null;
  trial_expired_at: Date | null;
  connection_fee: MinorAmount | null;
}

export const MERCHANT_COLUMNS: readonly Column<Merchant>[] = [
  { name: 'id', value: (m) => m.id },
  { name: 'name', value: (m) => m.name },
  { name: 'email', value: (m) => m.email },
  { name: 'tariff', json: 'jsonb', value: (m) => m.tariff },
  { name: 'provider_routes', json: 'jsonb', value: (m) => m.providerRoutes ?? {} },
  { name: 'created_at', value: (m) => m.createdAt },
  // Onboarding (migration 0009); a merchant written without it is live since creation (onboardingOf).
  { name: 'live_enabled_at', value: (m) => onboardingOf(m).liveEnabledAt },
  { name: 'trial_started_at', value: (m) => onboardingOf(m).trialStartedAt },
  { name: 'trial_ends_at', value: (m) => onboardingOf(m).trialEndsAt },
  { name: 'trial_expired_at', value: (m) => onboardingOf(m).trialExpiredAt },
  { name: 'connection_fee', json: 'jsonb', value: (m) => onboardingOf(m).connectionFee },
];

export function rowToMerchant(row: MerchantRow): Merchant {
  return {
    id: row.id,
    name: row.name,
    email: row.email,
    tariff: row.tariff,
    providerRoutes: row.provider_routes,
    createdAt: row.created_at,
    onboarding: {
      liveEnabledAt: row.live_enabled_at,
      trialStartedAt: row.trial_started_at,
      trialEndsAt: row.trial_ends_at,
      trialExpiredAt: row.trial_expired_at,
      connectionFee: row.connection_fee,
    },
  };
}
