import type {
  ApplicationDecision,
  ApplicationDetails,
  ApplicationStatus,
  ApplicationStep,
  MerchantApplication,
} from '@payrail/core';
import type { Column } from './sql';

export interface ApplicationRow {
  id: string;
  merchant_id: string;
  status: ApplicationStatus;
  details: ApplicationDetails;
  /** Steps with `at` as ISO text (jsonb has no timestamp type). */
  history: Array<Omit<ApplicationStep, 'at'> & { at: string }>;
  decision: ApplicationDecision | null;
  created_at: Date;
  updated_at: Date;
  version: number;
}

/** Every column but id and merchant; `update` sets these. */
export const APPLICATION_DATA_COLUMNS: readonly Column<MerchantApplication>[] = [
  { name: 'status', value: (a) => a.status },
  { name: 'details', json: 'jsonb', value: (a) => a.details },
  {
    name: 'history',
    json: 'jsonb',
    value: (a) => a.history.map((step) => ({ ...step, at: step.at.toISOString() })),
  },
  { name: 'decision', json: 'jsonb', value: (a) => a.decision },
  { name: 'created_at', value: (a) => a.createdAt },
  { name: 'updated_at', value: (a) => a.updatedAt },
  { name: 'version', value: (a) => a.version },
];

export const APPLICATION_COLUMNS: readonly Column<MerchantApplication>[] = [
  { name: 'id', value: (a) => a.id },
  { name: 'merchant_id', value: (a) => a.merchantId },
  ...APPLICATION_DATA_COLUMNS,
];

export function rowToApplication(row: ApplicationRow): MerchantApplication {
  return {
    id: row.id,
    merchantId: row.merchant_id,
    status: row.status,
    details: row.details,
    history: row.history.map((step) => ({ ...step, at: new Date(step.at) })),
    decision: row.decision,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    version: row.version,
  };
}
