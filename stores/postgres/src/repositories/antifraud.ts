import type {
  AntifraudAuditRecord,
  AntifraudConfigRepository,
  AntifraudFeedbackSettings,
  AntifraudListEntry,
  AntifraudRuleSet,
  FraudMark,
  Mode,
} from '@payrail/core';
import type { Db, Queryable } from '../db';
import { rollback } from '../db';
import { jsonParam } from '../mapping/sql';
import { clampLimit, toPage, Where } from './pagination';

interface ListEntryRow {
  id: string;
  merchant_id: string;
  mode: Mode;
  list: AntifraudListEntry['list'];
  kind: AntifraudListEntry['kind'];
  value: string;
  expires_at: Date | null;
  note: string | null;
  created_at: Date;
  created_by: string;
}

const toEntry = (r: ListEntryRow): AntifraudListEntry => ({
  id: r.id,
  merchantId: r.merchant_id,
  mode: r.mode,
  list: r.list,
  kind: r.kind,
  value: r.value,
  expiresAt: r.expires_at,
  note: r.note,
  createdAt: r.created_at,
  createdBy: r.created_by,
});

interface AuditRow {
  id: string;
  merchant_id: string;
  mode: Mode;
  actor: string;
  action: string;
  object_id: string;
  before: unknown;
  after: unknown;
  created_at: Date;
}

const toAudit = (r: AuditRow): AntifraudAuditRecord => ({
  id: r.id,
  merchantId: r.merchant_id,
  mode: r.mode,
  actor: r.actor,
  action: r.action,
  objectId: r.object_id,
  before: r.before,
  after: r.after,
  createdAt: r.created_at,
});

interface MarkRow {
  payment_id: string;
  merchant_id: string;
  mode: Mode;
  source: FraudMark['source'];
  actor: string;
  note: string | null;
  created_at: Date;
}

const toMark = (r: MarkRow): FraudMark => ({
  paymentId: r.payment_id,
  merchantId: r.merchant_id,
  mode: r.mode,
  source: r.source,
  actor: r.actor,
  note: r.note,
  createdAt: r.created_at,
});

interface FeedbackRow {
  merchant_id: string;
  mode: Mode;
  auto_block_card: boolean;
  auto_block_email: boolean;
  ttl_seconds: number | null;
  updated_at: Date;
  updated_by: string;
}

const toFeedback = (r: FeedbackRow): AntifraudFeedbackSettings => ({
  merchantId: r.merchant_id,
  mode: r.mode,
  autoBlockCard: r.auto_block_card,
  autoBlockEmail: r.auto_block_email,
  ttlSeconds: r.ttl_seconds,
  updatedAt: r.updated_at,
  updatedBy: r.updated_by,
});

async function insertAudit(tx: Queryable, a: AntifraudAuditRecord): Promise<void> {
  await tx.query(
    `INSERT INTO antifraud_audit (id, merchant_id, mode, actor, action, object_id, before, after, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8::jsonb, $9)`,
    [
      a.id,
      a.merchantId,
      a.mode,
      a.actor,
      a.action,
      a.objectId,
      jsonParam(a.before),
      jsonParam(a.after),
      a.createdAt,
    ],
  );
}

export function antifraudRepository(db: Db): AntifraudConfigRepository {
  return {
    async upsertListEntry({ entry: e, audit }) {
      return db.transaction<AntifraudListEntry>(async (tx) => {
        // The entry this replaces, if any, for the audit record (locked until the upsert commits).
        const before = await tx.query<ListEntryRow>(
          `SELECT * FROM antifraud_list_entries
            WHERE merchant_id = $1 AND mode = $2 AND list = $3 AND kind = $4 AND value = $5 FOR UPDATE`,
          [e.merchantId, e.mode, e.list, e.kind, e.value],
        );
        const prior = before.rows[0];
        const { rows } = await tx.query<ListEntryRow>(
          `INSERT INTO antifraud_list_entries AS l
             (id, merchant_id, mode, list, kind, value, expires_at, note, created_at, created_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
           ON CONFLICT (merchant_id, mode, list, kind, value) DO UPDATE
             SET expires_at = excluded.expires_at, note = excluded.note
           RETURNING *`,
          [
            e.id,
            e.merchantId,
            e.mode,
            e.list,
            e.kind,
            e.value,
            e.expiresAt,
            e.note,
            e.createdAt,
            e.createdBy,
          ],
        );
        const stored = toEntry(rows[0] as ListEntryRow);
        await insertAudit(tx, {
          ...audit,
          objectId: stored.id,
          before: prior ? toEntry(prior) : null,
          after: stored,
        });
        return stored;
      });
    },

    async deleteListEntry({ merchantId, mode, id, audit }) {
      return db.transaction<AntifraudListEntry | null>(async (tx) => {
        const { rows } = await tx.query<ListEntryRow>(
          'DELETE FROM antifraud_list_entries WHERE id = $1 AND merchant_id = $2 AND mode = $3 RETURNING *',
          [id, merchantId, mode],
        );
        const row = rows[0];
        if (!row) return rollback(null);
        const deleted = toEntry(row);
        await insertAudit(tx, { ...audit, before: deleted });
        return deleted;
      });
    },

    async listListEntries({ merchantId, mode, limit, startingAfter, list, kind }) {
      const size = clampLimit(limit);
      const where = new Where()
        .add('merchant_id = ?', merchantId)
        .add('mode = ?', mode)
        .addIf('id < ?', startingAfter)
        .addIf('list = ?', list)
        .addIf('kind = ?', kind);
      const rows = await db.query<ListEntryRow>(
        `SELECT * FROM antifraud_list_entries WHERE ${where.text} ORDER BY id DESC LIMIT ${where.param(size + 1)}`,
        where.values,
      );
      return toPage(rows, size, toEntry);
    },

    async liveListEntries({ merchantId, mode, now }) {
      const rows = await db.query<ListEntryRow>(
        `SELECT * FROM antifraud_list_entries
          WHERE merchant_id = $1 AND mode = $2 AND (expires_at IS NULL OR expires_at > $3)
          ORDER BY id`,
        [merchantId, mode, now],
      );
      return rows.map(toEntry);
    },

    async getRuleSet({ merchantId, mode }) {
      const rows = await db.query<{
        rules: unknown[];
        version: number;
        updated_at: Date;
        updated_by: string;
      }>('SELECT * FROM antifraud_rule_sets WHERE merchant_id = $1 AND mode = $2', [merchantId, mode]);
      const row = rows[0];
      return row
        ? {
            merchantId,
            mode,
            rules: row.rules,
            version: row.version,
            updatedAt: row.updated_at,
            updatedBy: row.updated_by,
          }
        : null;
    },

    async putRuleSet({ ruleSet: r, expectedVersion, audit }) {
      if (r.version !== expectedVersion + 1)
        throw new RangeError('putRuleSet: ruleSet.version must be expectedVersion + 1');
      return db.transaction<{ ok: true } | { ok: false; reason: 'version_conflict' }>(async (tx) => {
        let before: AntifraudRuleSet['rules'] | null = null;
        if (expectedVersion === 0) {
          const { rows } = await tx.query(
            `INSERT INTO antifraud_rule_sets (merchant_id, mode, rules, version, updated_at, updated_by)
             VALUES ($1, $2, $3::jsonb, $4, $5, $6) ON CONFLICT (merchant_id, mode) DO NOTHING RETURNING 1`,
            [r.merchantId, r.mode, jsonParam(r.rules), r.version, r.updatedAt, r.updatedBy],
          );
          if (rows.length === 0) return rollback({ ok: false as const, reason: 'version_conflict' as const });
        } else {
          // The old rules are read in the same statement that replaces them, for the audit record.
          const { rows } = await tx.query<{ before: unknown[] }>(
            `UPDATE antifraud_rule_sets AS s SET rules = $3::jsonb, version = $4, updated_at = $5, updated_by = $6
               FROM (SELECT rules FROM antifraud_rule_sets WHERE merchant_id = $1 AND mode = $2 FOR UPDATE) AS old
              WHERE s.merchant_id = $1 AND s.mode = $2 AND s.version = $7
             RETURNING old.rules AS before`,
            [r.merchantId, r.mode, jsonParam(r.rules), r.version, r.updatedAt, r.updatedBy, expectedVersion],
          );
          if (rows.length === 0) return rollback({ ok: false as const, reason: 'version_conflict' as const });
          before = rows[0]?.before ?? null;
        }
        await insertAudit(tx, { ...audit, before, after: r.rules });
        return { ok: true as const };
      });
    },

    async appendAudit({ audit }) {
      await db.transaction<void>((tx) => insertAudit(tx, audit));
    },

    async listAudit({ merchantId, mode, limit, startingAfter }) {
      const size = clampLimit(limit);
      const where = new Where()
        .add('merchant_id = ?', merchantId)
        .add('mode = ?', mode)
        .addIf('id < ?', startingAfter);
      const rows = await db.query<AuditRow>(
        `SELECT * FROM antifraud_audit WHERE ${where.text} ORDER BY id DESC LIMIT ${where.param(size + 1)}`,
        where.values,
      );
      return toPage(rows, size, toAudit);
    },

    async markFraud({ mark: m, audit }) {
      return db.transaction<{ created: boolean; mark: FraudMark }>(async (tx) => {
        const { rows } = await tx.query<MarkRow>(
          `INSERT INTO antifraud_fraud_marks (payment_id, merchant_id, mode, source, actor, note, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (payment_id) DO NOTHING RETURNING *`,
          [m.paymentId, m.merchantId, m.mode, m.source, m.actor, m.note, m.createdAt],
        );
        const inserted = rows[0];
        if (inserted) {
          const mark = toMark(inserted);
          await insertAudit(tx, { ...audit, after: mark });
          return { created: true, mark };
        }
        const existing = await tx.query<MarkRow>(
          'SELECT * FROM antifraud_fraud_marks WHERE payment_id = $1',
          [m.paymentId],
        );
        return rollback({ created: false, mark: toMark(existing.rows[0] as MarkRow) });
      });
    },

    async getFeedbackSettings({ merchantId, mode }) {
      const rows = await db.query<FeedbackRow>(
        'SELECT * FROM antifraud_feedback_settings WHERE merchant_id = $1 AND mode = $2',
        [merchantId, mode],
      );
      return rows[0] ? toFeedback(rows[0]) : null;
    },

    async putFeedbackSettings({ settings: f, audit }) {
      await db.transaction(async (tx) => {
        const { rows } = await tx.query<FeedbackRow>(
          'SELECT * FROM antifraud_feedback_settings WHERE merchant_id = $1 AND mode = $2 FOR UPDATE',
          [f.merchantId, f.mode],
        );
        await tx.query(
          `INSERT INTO antifraud_feedback_settings
             (merchant_id, mode, auto_block_card, auto_block_email, ttl_seconds, updated_at, updated_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7)
           ON CONFLICT (merchant_id, mode) DO UPDATE SET auto_block_card = $3, auto_block_email = $4,
             ttl_seconds = $5, updated_at = $6, updated_by = $7`,
          [f.merchantId, f.mode, f.autoBlockCard, f.autoBlockEmail, f.ttlSeconds, f.updatedAt, f.updatedBy],
        );
        await insertAudit(tx, { ...audit, before: rows[0] ? toFeedback(rows[0]) : null, after: f });
      });
    },

    async listFraudMarks({ merchantId, mode, paymentIds }) {
      if (paymentIds.length === 0) return [];
      const rows = await db.query<MarkRow>(
        `SELECT * FROM antifraud_fraud_marks
          WHERE merchant_id = $1 AND mode = $2 AND payment_id = ANY($3::text[])`,
        [merchantId, mode, [...paymentIds]],
      );
      return rows.map(toMark);
    },
  };
}
