import type { ApiKey, Mode } from '@payrail/core';
import type { Column } from './sql';

export interface ApiKeyRow {
  id: string;
  merchant_id: string;
  mode: Mode;
  secret_hash: string;
  display_prefix: string;
  created_at: Date;
  revoked_at: Date | null;
  expires_at: Date | null;
  last_used_at: Date | null;
}

export const API_KEY_COLUMNS: readonly Column<ApiKey>[] = [
  { name: 'id', value: (k) => k.id },
  { name: 'merchant_id', value: (k) => k.merchantId },
  { name: 'mode', value: (k) => k.mode },
  { name: 'secret_hash', value: (k) => k.secretHash },
  { name: 'display_prefix', value: (k) => k.displayPrefix },
  { name: 'created_at', value: (k) => k.createdAt },
  { name: 'revoked_at', value: (k) => k.revokedAt },
  { name: 'expires_at', value: (k) => k.expiresAt ?? null },
  { name: 'last_used_at', value: (k) => k.lastUsedAt ?? null },
];

export function rowToApiKey(row: ApiKeyRow): ApiKey {
  return {
    id: row.id,
    merchantId: row.merchant_id,
    mode: row.mode,
    secretHash: row.secret_hash,
    displayPrefix: row.display_prefix,
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
    // Optional fields stay absent when unset, so keys made before they existed compare equal.
    ...(row.expires_at ? { expiresAt: row.expires_at } : {}),
    ...(row.last_used_at ? { lastUsedAt: row.last_used_at } : {}),
  };
}
