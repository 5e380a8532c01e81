import type { AccountToken, AccountTokenPurpose } from '@payrail/core';
import type { Column } from './sql';

export interface AccountTokenRow {
  id: string;
  purpose: AccountTokenPurpose;
  user_id: string;
  token_hash: string;
  data: Record<string, unknown>;
  created_at: Date;
  expires_at: Date;
  used_at: Date | null;
}

export const ACCOUNT_TOKEN_COLUMNS: readonly Column<AccountToken>[] = [
  { name: 'id', value: (t) => t.id },
  { name: 'purpose', value: (t) => t.purpose },
  { name: 'user_id', value: (t) => t.userId },
  { name: 'token_hash', value: (t) => t.tokenHash },
  { name: 'data', json: 'jsonb', value: (t) => t.data },
  { name: 'created_at', value: (t) => t.createdAt },
  { name: 'expires_at', value: (t) => t.expiresAt },
  { name: 'used_at', value: (t) => t.usedAt },
];

export const rowToAccountToken = (row: AccountTokenRow): AccountToken => ({
  id: row.id,
  purpose: row.purpose,
  userId: row.user_id,
  tokenHash: row.token_hash,
  data: row.data,
  createdAt: row.created_at,
  expiresAt: row.expires_at,
  usedAt: row.used_at,
});
