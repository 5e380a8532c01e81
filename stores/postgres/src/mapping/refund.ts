import type { Mode, Refund, RefundStatus } from '@payrail/core';
import type { Column } from './sql';

export interface RefundRow {
  id: string;
  payment_id: string;
  merchant_id: string;
  mode: Mode;
  amount: number;
  currency: string;
  status: RefundStatus;
  reason: string | null;
  provider_ref: string | null;
  failure: Refund['failure'];
  created_at: Date;
  updated_at: Date;
}

export const REFUND_COLUMNS: readonly Column<Refund>[] = [
  { name: 'id', value: (r) => r.id },
  { name: 'payment_id', value: (r) => r.paymentId },
  { name: 'merchant_id', value: (r) => r.merchantId },
  { name: 'mode', value: (r) => r.mode },
  { name: 'amount', value: (r) => r.amount },
  { name: 'currency', value: (r) => r.currency },
  { name: 'status', value: (r) => r.status },
  { name: 'reason', value: (r) => r.reason },
  { name: 'provider_ref', value: (r) => r.providerRef },
  { name: 'failure', json: 'jsonb', value: (r) => r.failure },
  { name: 'created_at', value: (r) => r.createdAt },
  { name: 'updated_at', value: (r) => r.updatedAt },
];

/** What a later change of a refund may rewrite; its identity, payment and creation time stay. */
export const REFUND_MUTABLE_COLUMN_NAMES = [
  'amount',
  'status',
  'reason',
  'provider_ref',
  'failure',
  'updated_at',
];

export function rowToRefund(row: RefundRow): Refund {
  return {
    id: row.id,
    paymentId: row.payment_id,
    merchantId: row.merchant_id,
    mode: row.mode,
    amount: row.amount,
    currency: row.currency,
    status: row.status,
    reason: row.reason,
    providerRef: row.provider_ref,
    failure: row.failure,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
