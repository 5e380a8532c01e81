import type { Page } from './store';

/** A security event (login, failure, lockout, password change, API key created…), kept per merchant. */
export interface AuditEntry {
  id: string;
  /** The merchant the event belongs to; null for users without a merchant (buyers). */
  merchantId: string | null;
  userId: string | null;
  type: string;
  ip: string;
  userAgent: string;
  data: Record<string, unknown>;
  createdAt: Date;
}

export interface AuditLogRepository {
  insert(args: { entry: AuditEntry }): Promise<void>;
  /** Newest first; `startingAfter` is an id from the previous page. */
  list(args: { merchantId: string; limit: number; startingAfter?: string }): Promise<Page<AuditEntry>>;
}
