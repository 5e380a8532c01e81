import type { Merchant, Tariff } from '@payrail/core';
import type { Column } from './sql';

export interface MerchantRow {
  id: string;
  name: string;
  email: string;
  tariff: Tariff;
  provider_routes: Record<string, string>;
  created_at: Date;
}

export const MERCHANT_COLUMNS: readonly Column<Merchant>[] = [
  { name: 'id', value: (m) => m.id },
  { name: 'name', value: (m) => m.name },
  { name: 'email', value: (m) => m.email },
  { name: 'tariff', json: 'jsonb', value: (m) => m.tariff },
  { name: 'provider_routes', json: 'jsonb', value: (m) => m.providerRoutes ?? {} },
  { name: 'created_at', value: (m) => m.createdAt },
];

export function rowToMerchant(row: MerchantRow): Merchant {
  return {
    id: row.id,
    name: row.name,
    email: row.email,
    tariff: row.tariff,
    providerRoutes: row.provider_routes,
    createdAt: row.created_at,
  };
}
