import type { NotificationRepository, QueuedNotification } from '@payrail/core';
import type { Db } from '../db';

interface NotificationRow {
  id: string;
  dedupe_key: string;
  user_id: string | null;
  channel: QueuedNotification['channel'];
  address: string;
  template: string;
  locale: string;
  subject: string;
  body_text: string;
  body_html: string;
  status: QueuedNotification['status'];
  attempts: number;
  next_attempt_at: Date | null;
  last_error: string | null;
  created_at: Date;
  updated_at: Date;
  sent_at: Date | null;
}

const COLUMNS = `id, dedupe_key, user_id, channel, address, template, locale, subject, body_text, body_html,
  status, attempts, next_attempt_at, last_error, created_at, updated_at, sent_at`;

const toMessage = (r: NotificationRow): QueuedNotification => ({
  id: r.id,
  dedupeKey: r.dedupe_key,
  userId: r.user_id,
  channel: r.channel,
  address: r.address,
  template: r.template,
  locale: r.locale,
  subject: r.subject,
  text: r.body_text,
  html: r.body_html,
  status: r.status,
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at,
  lastError: r.last_error,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  sentAt: r.sent_at,
});

/** Claimable at $1: queued and due, or leased by a process whose lease ran out. */
const CLAIMABLE = `((status = 'queued' AND next_attempt_at <= $1) OR (status = 'sending' AND lease_until <= $1))`;

export function notificationRepository(db: Db): NotificationRepository {
  return {
    async enqueue({ message: m }) {
      const rows = await db.query(
        `INSERT INTO notifications (id, dedupe_key, user_id, channel, address, template, locale, subject,
           body_text, body_html, status, attempts, next_attempt_at, last_error, created_at, updated_at, sent_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
         ON CONFLICT (dedupe_key) DO NOTHING RETURNING 1`,
        [
          m.id,
          m.dedupeKey,
          m.userId,
          m.channel,
          m.address,
          m.template,
          m.locale,
          m.subject,
          m.text,
          m.html,
          m.status,
          m.attempts,
          m.nextAttemptAt,
          m.lastError,
          m.createdAt,
          m.updatedAt,
          m.sentAt,
        ],
      );
      return { inserted: rows.length > 0 };
    },

    async get({ id }) {
      const rows = await db.query<NotificationRow>(`SELECT ${COLUMNS} FROM notifications WHERE id = $1`, [
        id,
      ]);
      return rows[0] ? toMessage(rows[0]) : null;
    },

    async findByDedupeKey({ dedupeKey }) {
      const rows = await db.query<NotificationRow>(
        `SELECT ${COLUMNS} FROM notifications WHERE dedupe_key = $1`,
        [dedupeKey],
      );
      return rows[0] ? toMessage(rows[0]) : null;
    },

    async claimDue({ now, limit, leaseUntil, leaseToken }) {
      // SKIP LOCKED: concurrent claimers take different rows instead of queueing on the same ones.
      const rows = await db.query<NotificationRow>(
        `UPDATE notifications
            SET status = 'sending', lease_until = $3, lease_token = $4, attempts = attempts + 1, updated_at = $1
          WHERE id IN (
            SELECT id FROM notifications WHERE ${CLAIMABLE}
             ORDER BY next_attempt_at NULLS FIRST, id LIMIT $2
             FOR UPDATE SKIP LOCKED)
            AND ${CLAIMABLE}
          RETURNING ${COLUMNS}`,
        [now, Math.max(1, Math.trunc(limit)), leaseUntil, leaseToken],
      );
      return rows.map(toMessage).sort((a, b) => (a.id < b.id ? -1 : 1));
    },

    async claim({ id, now, leaseUntil, leaseToken }) {
      const rows = await db.query<NotificationRow>(
        `UPDATE notifications
            SET status = 'sending', lease_until = $3, lease_token = $4, attempts = attempts + 1, updated_at = $1
          WHERE id = $2 AND ${CLAIMABLE}
          RETURNING ${COLUMNS}`,
        [now, id, leaseUntil, leaseToken],
      );
      return rows[0] ? toMessage(rows[0]) : null;
    },

    async markSent({ id, leaseToken, now }) {
      const rows = await db.query(
        `UPDATE notifications
            SET status = 'sent', sent_at = $3, updated_at = $3, next_attempt_at = NULL, lease_until = NULL,
                lease_token = NULL, last_error = NULL, body_text = '', body_html = ''
          WHERE id = $1 AND lease_token = $2 AND status = 'sending'
          RETURNING 1`,
        [id, leaseToken, now],
      );
      return rows.length > 0;
    },

    async recordFailure({ id, leaseToken, error, nextAttemptAt, now }) {
      const rows = await db.query(
        `UPDATE notifications
            SET status = CASE WHEN $4::timestamptz IS NULL THEN 'failed' ELSE 'queued' END,
                next_attempt_at = $4, last_error = $3, updated_at = $5, lease_until = NULL, lease_token = NULL,
                body_text = CASE WHEN $4::timestamptz IS NULL THEN '' ELSE body_text END,
                body_html = CASE WHEN $4::timestamptz IS NULL THEN '' ELSE body_html END
          WHERE id = $1 AND lease_token = $2 AND status = 'sending'
          RETURNING 1`,
        [id, leaseToken, error, nextAttemptAt, now],
      );
      return rows.length > 0;
    },
  };
}
