import type { Session } from '@payrail/core';
import type { Column } from './sql';

export interface SessionRow {
  id: string;
  user_id: string;
  token_hash: string;
  created_at: Date;
  expires_at: Date;
  ip: string;
  user_agent: string;
  revoked_at: Date | null;
}

export const SESSION_COLUMNS: readonly Column<Session>[] = [
  { name: 'id', value: (s) => s.id },
  { name: 'user_id', value: (s) => s.userId },
  { name: 'token_hash', value: (s) => s.tokenHash },
  { name: 'created_at', value: (s) => s.createdAt },
  { name: 'expires_at', value: (s) => s.expiresAt },
  { name: 'ip', value: (s) => s.ip },
  { name: 'user_agent', value: (s) => s.userAgent },
  { name: 'revoked_at', value: (s) => s.revokedAt },
];

export const rowToSession = (row: SessionRow): Session => ({
  id: row.id,
  userId: row.user_id,
  tokenHash: row.token_hash,
  createdAt: row.created_at,
  expiresAt: row.expires_at,
  ip: row.ip,
  userAgent: row.user_agent,
  revokedAt: row.revoked_at,
});
