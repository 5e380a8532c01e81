import type { LedgerAccount, LedgerEntry, LedgerPosting, Mode } from '@payrail/core';
import type { Column } from './sql';

export interface LedgerEntryRow {
  id: string;
  posting_id: string;
  merchant_id: string;
  mode: Mode;
  payment_id: string;
  refund_id: string | null;
  account: LedgerAccount;
  amount: number;
  currency: string;
  created_at: Date;
}

/** An entry with the kind of its posting, which is stored per row (a posting has no row of its own). */
export interface PostedEntry {
  entry: LedgerEntry;
  kind: LedgerPosting['kind'];
}

export const LEDGER_ENTRY_COLUMNS: readonly Column<PostedEntry>[] = [
  { name: 'id', value: ({ entry }) => entry.id },
  { name: 'posting_id', value: ({ entry }) => entry.postingId },
  { name: 'posting_kind', value: ({ kind }) => kind },
  { name: 'merchant_id', value: ({ entry }) => entry.merchantId },
  { name: 'mode', value: ({ entry }) => entry.mode },
  { name: 'payment_id', value: ({ entry }) => entry.paymentId },
  { name: 'refund_id', value: ({ entry }) => entry.refundId },
  { name: 'account', value: ({ entry }) => entry.account },
  { name: 'amount', value: ({ entry }) => entry.amount },
  { name: 'currency', value: ({ entry }) => entry.currency },
  { name: 'created_at', value: ({ entry }) => entry.createdAt },
];

export function rowToLedgerEntry(row: LedgerEntryRow): LedgerEntry {
  return {
    id: row.id,
    postingId: row.posting_id,
    merchantId: row.merchant_id,
    mode: row.mode,
    paymentId: row.payment_id,
    refundId: row.refund_id,
    account: row.account,
    amount: row.amount,
    currency: row.currency,
    createdAt: row.created_at,
  };
}
