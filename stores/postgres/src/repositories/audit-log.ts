import type { AuditLogRepository } from '@payrail/core';
import type { Db } from '../db';
import { AUDIT_ENTRY_COLUMNS, type AuditEntryRow, rowToAuditEntry } from '../mapping/audit-entry';
import { insertRows } from '../mapping/sql';
import { clampLimit, toPage, Where } from './pagination';

export function auditLogRepository(db: Db): AuditLogRepository {
  return {
    async insert({ entry }) {
      const insert = insertRows('audit_log', AUDIT_ENTRY_COLUMNS, [entry]);
      await db.query(insert.text, insert.values);
    },

    async list({ merchantId, limit: requested, startingAfter }) {
      const limit = clampLimit(requested);
      const where = new Where().add('merchant_id = ?', merchantId).addIf('id < ?', startingAfter);
      const rows = await db.query<AuditEntryRow>(
        `SELECT * FROM audit_log WHERE ${where.text} ORDER BY id DESC LIMIT ${where.param(limit + 1)}`,
        where.values,
      );
      return toPage(rows, limit, rowToAuditEntry);
    },
  };
}
