import type { Shop } from '@payrail/core';
import type { Column } from './sql';

export interface ShopRow {
  id: string;
  merchant_id: string;
  name: string;
  url: string;
  methods: string[];
  provider_routes: Record<string, string>;
  success_url: string | null;
  fail_url: string | null;
  archived: boolean;
  created_at: Date;
  updated_at: Date;
}

export const SHOP_COLUMNS: readonly Column<Shop>[] = [
  { name: 'id', value: (s) => s.id },
  { name: 'merchant_id', value: (s) => s.merchantId },
  { name: 'name', value: (s) => s.name },
  { name: 'url', value: (s) => s.url },
  { name: 'methods', json: 'jsonb', value: (s) => s.methods },
  { name: 'provider_routes', json: 'jsonb', value: (s) => s.providerRoutes },
  { name: 'success_url', value: (s) => s.successUrl },
  { name: 'fail_url', value: (s) => s.failUrl },
  { name: 'archived', value: (s) => s.archived },
  { name: 'created_at', value: (s) => s.createdAt },
  { name: 'updated_at', value: (s) => s.updatedAt },
];

export function rowToShop(row: ShopRow): Shop {
  return {
    id: row.id,
    merchantId: row.merchant_id,
    name: row.name,
    url: row.url,
    methods: row.methods,
    providerRoutes: row.provider_routes,
    successUrl: row.success_url,
    failUrl: row.fail_url,
    archived: row.archived,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
