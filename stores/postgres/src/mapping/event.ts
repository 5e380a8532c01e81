import type { Mode, OutboxEvent } from '@payrail/core';
import type { Column } from './sql';

export interface EventRow {
  id: string;
  merchant_id: string;
  mode: Mode;
  type: string;
  object_id: string;
  data: Record<string, unknown>;
  created_at: Date;
}

export const EVENT_COLUMNS: readonly Column<OutboxEvent>[] = [
  { name: 'id', value: (e) => e.id },
  { name: 'merchant_id', value: (e) => e.merchantId },
  { name: 'mode', value: (e) => e.mode },
  { name: 'type', value: (e) => e.type },
  { name: 'object_id', value: (e) => e.objectId },
  { name: 'data', json: 'jsonb', value: (e) => e.data },
  { name: 'created_at', value: (e) => e.createdAt },
];

export function rowToEvent(row: EventRow): OutboxEvent {
  return {
    id: row.id,
    merchantId: row.merchant_id,
    mode: row.mode,
    type: row.type,
    objectId: row.object_id,
    data: row.data,
    createdAt: row.created_at,
  };
}
