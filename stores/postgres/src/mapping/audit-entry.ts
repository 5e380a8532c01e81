import type { AuditEntry } from '@payrail/core';
import type { Column } from './sql';

export interface AuditEntryRow {
  id: string;
  merchant_id: string | null;
  user_id: string | null;
  type: string;
  ip: string;
  user_agent: string;
  data: Record<string, unknown>;
  created_at: Date;
}

export const AUDIT_ENTRY_COLUMNS: readonly Column<AuditEntry>[] = [
  { name: 'id', value: (e) => e.id },
  { name: 'merchant_id', value: (e) => e.merchantId },
  { name: 'user_id', value: (e) => e.userId },
  { name: 'type', value: (e) => e.type },
  { name: 'ip', value: (e) => e.ip },
  { name: 'user_agent', value: (e) => e.userAgent },
  { name: 'data', json: 'jsonb', value: (e) => e.data },
  { name: 'created_at', value: (e) => e.createdAt },
];

export const rowToAuditEntry = (row: AuditEntryRow): AuditEntry => ({
  id: row.id,
  merchantId: row.merchant_id,
  userId: row.user_id,
  type: row.type,
  ip: row.ip,
  userAgent: row.user_agent,
  data: row.data,
  createdAt: row.created_at,
});
