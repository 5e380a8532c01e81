import type { Mode, StoredCard } from '@payrail/core';
import type { Column } from './sql';

export interface StoredCardRow {
  id: string;
  merchant_id: string;
  mode: Mode;
  customer_id: string;
  pan_ciphertext: string;
  key_id: string;
  fingerprint: string;
  brand: string;
  first6: string;
  last4: string;
  exp_month: number;
  exp_year: number;
  created_at: Date;
  deleted_at: Date | null;
}

export const STORED_CARD_COLUMNS: readonly Column<StoredCard>[] = [
  { name: 'id', value: (c) => c.id },
  { name: 'merchant_id', value: (c) => c.merchantId },
  { name: 'mode', value: (c) => c.mode },
  { name: 'customer_id', value: (c) => c.customerId },
  { name: 'pan_ciphertext', value: (c) => c.panCiphertext },
  { name: 'key_id', value: (c) => c.keyId },
  { name: 'fingerprint', value: (c) => c.fingerprint },
  { name: 'brand', value: (c) => c.brand },
  { name: 'first6', value: (c) => c.first6 },
  { name: 'last4', value: (c) => c.last4 },
  { name: 'exp_month', value: (c) => c.expMonth },
  { name: 'exp_year', value: (c) => c.expYear },
  { name: 'created_at', value: (c) => c.createdAt },
  { name: 'deleted_at', value: (c) => c.deletedAt },
];

export function rowToStoredCard(row: StoredCardRow): StoredCard {
  return {
    id: row.id,
    merchantId: row.merchant_id,
    mode: row.mode,
    customerId: row.customer_id,
    panCiphertext: row.pan_ciphertext,
    keyId: row.key_id,
    fingerprint: row.fingerprint,
    brand: row.brand,
    first6: row.first6,
    last4: row.last4,
    expMonth: row.exp_month,
    expYear: row.exp_year,
    createdAt: row.created_at,
    deletedAt: row.deleted_at,
  };
}
