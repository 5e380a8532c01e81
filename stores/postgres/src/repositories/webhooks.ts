import type {
  Mode,
  OutboxEvent,
  WebhookAttempt,
  WebhookDelivery,
  WebhookEndpoint,
  WebhookRepository,
} from '@payrail/core';
import type { Db, Queryable } from '../db';
import { EVENT_COLUMNS, type EventRow, rowToEvent } from '../mapping/event';
import { insertRows, jsonParam } from '../mapping/sql';

interface EndpointRow {
  id: string;
  merchant_id: string;
  mode: Mode;
  url: string;
  event_types: string[];
  description: string | null;
  /** Added by migration 0017; null: every shop. */
  shop_id: string | null;
  sealed_secret: string;
  status: WebhookEndpoint['status'];
  failing_since: Date | null;
  created_at: Date;
  updated_at: Date;
}

interface DeliveryRow {
  id: string;
  event_id: string;
  endpoint_id: string;
  merchant_id: string;
  mode: Mode;
  status: WebhookDelivery['status'];
  attempts: Array<Omit<WebhookAttempt, 'at'> & { at: string }>;
  next_attempt_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

const toEndpoint = (r: EndpointRow): WebhookEndpoint => ({
  id: r.id,
  merchantId: r.merchant_id,
  mode: r.mode,
  url: r.url,
  eventTypes: r.event_types,
  description: r.description,
  // Optional on the endpoint: absent when it serves every shop (as MongoDB reads it back).
  ...(r.shop_id ? { shopId: r.shop_id } : {}),
  sealedSecret: r.sealed_secret,
  status: r.status,
  failingSince: r.failing_since,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const toDelivery = (r: DeliveryRow): WebhookDelivery => ({
  id: r.id,
  eventId: r.event_id,
  endpointId: r.endpoint_id,
  merchantId: r.merchant_id,
  mode: r.mode,
  status: r.status,
  attempts: r.attempts.map((a) => ({ ...a, at: new Date(a.at) })),
  nextAttemptAt: r.next_attempt_at,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const DELIVERY_COLUMNS = `id, event_id, endpoint_id, merchant_id, mode, status, attempts, next_attempt_at, created_at, updated_at`;

/** Inserts deliveries, leaving alone any (event, endpoint) pair that already has one. */
async function insertDeliveries(q: Queryable, deliveries: readonly WebhookDelivery[]): Promise<void> {
  if (deliveries.length === 0) return;
  const values: unknown[] = [];
  const tuples = deliveries.map((d) => {
    values.push(d.id, d.eventId, d.endpointId, d.merchantId, d.mode, d.status, jsonParam(d.attempts));
    values.push(d.nextAttemptAt, d.createdAt, d.updatedAt);
    const n = values.length;
    return `($${n - 9}, $${n - 8}, $${n - 7}, $${n - 6}, $${n - 5}, $${n - 4}, $${n - 3}::jsonb, $${n - 2}, $${n - 1}, $${n})`;
  });
  await q.query(
    `INSERT INTO webhook_deliveries (${DELIVERY_COLUMNS}) VALUES ${tuples.join(', ')}
     ON CONFLICT (event_id, endpoint_id) DO NOTHING`,
    values,
  );
}

export function webhookRepository(db: Db): WebhookRepository {
  return {
    async createEndpoint({ endpoint: e }) {
      await db.query(
        `INSERT INTO webhook_endpoints
           (id, merchant_id, mode, url, event_types, description, sealed_secret, status, failing_since, created_at, updated_at, shop_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
        [
          e.id,
          e.merchantId,
          e.mode,
          e.url,
          e.eventTypes,
          e.description,
          e.sealedSecret,
          e.status,
          e.failingSince,
          e.createdAt,
          e.updatedAt,
          e.shopId ?? null,
        ],
      );
    },

    async getEndpoint({ merchantId, mode, id }) {
      const rows = await db.query<EndpointRow>(
        'SELECT * FROM webhook_endpoints WHERE id = $1 AND merchant_id = $2 AND mode = $3',
        [id, merchantId, mode],
      );
      return rows[0] ? toEndpoint(rows[0]) : null;
    },

    async listEndpoints({ merchantId, mode }) {
      const rows = await db.query<EndpointRow>(
        `SELECT * FROM webhook_endpoints WHERE merchant_id = $1 AND mode = $2 AND status <> 'deleted' ORDER BY id`,
        [merchantId, mode],
      );
      return rows.map(toEndpoint);
    },

    async updateEndpoint({ merchantId, mode, id, change, now }) {
      // One statement: a field not given keeps its value; enabling also clears failing_since.
      const rows = await db.query<EndpointRow>(
        `UPDATE webhook_endpoints SET
            url = COALESCE($4::text, url),
            event_types = COALESCE($5::text[], event_types),
            description = CASE WHEN $6::boolean THEN $7::text ELSE description END,
            status = COALESCE($8::text, status),
            failing_since = CASE WHEN $8::text = 'enabled' THEN NULL ELSE failing_since END,
            updated_at = $9
          WHERE id = $1 AND merchant_id = $2 AND mode = $3 AND status <> 'deleted' RETURNING *`,
        [
          id,
          merchantId,
          mode,
          change.url ?? null,
          change.eventTypes ?? null,
          change.description !== undefined,
          change.description ?? null,
          change.status ?? null,
          now,
        ],
      );
      return rows[0] ? toEndpoint(rows[0]) : null;
    },

    async deleteEndpoint({ merchantId, mode, id, now }) {
      return db.transaction(async (tx) => {
        const { rowCount } = await tx.query(
          `UPDATE webhook_endpoints SET status = 'deleted', updated_at = $4
            WHERE id = $1 AND merchant_id = $2 AND mode = $3 AND status <> 'deleted'`,
          [id, merchantId, mode, now],
        );
        if (!rowCount) return false;
        await tx.query(
          `UPDATE webhook_deliveries SET status = 'failed', next_attempt_at = NULL, updated_at = $2
            WHERE endpoint_id = $1 AND status = 'pending'`,
          [id, now],
        );
        return true;
      });
    },

    async endpointsFor({ merchantId, mode, type }) {
      const rows = await db.query<EndpointRow>(
        `SELECT * FROM webhook_endpoints
          WHERE merchant_id = $1 AND mode = $2 AND status = 'enabled'
            AND ($3 = ANY (event_types) OR '*' = ANY (event_types))
          ORDER BY id`,
        [merchantId, mode, type],
      );
      return rows.map(toEndpoint);
    },

    async recordEndpointResult({ id, ok, now }) {
      const rows = await db.query<EndpointRow>(
        ok
          ? `UPDATE webhook_endpoints SET failing_since = NULL, updated_at = $2
              WHERE id = $1 RETURNING *`
          : `UPDATE webhook_endpoints SET failing_since = COALESCE(failing_since, $2), updated_at = $2
              WHERE id = $1 RETURNING *`,
        [id, now],
      );
      return rows[0] ? toEndpoint(rows[0]) : null;
    },

    async disableEndpoint({ id, now, event }) {
      return db.transaction(async (tx) => {
        const { rowCount } = await tx.query(
          `UPDATE webhook_endpoints SET status = 'disabled', updated_at = $2 WHERE id = $1 AND status = 'enabled'`,
          [id, now],
        );
        if (!rowCount) return false;
        const insert = insertRows<OutboxEvent>('events', EVENT_COLUMNS, [event]);
        await tx.query(insert.text, insert.values);
        return true;
      });
    },

    async getEvent({ merchantId, mode, id }) {
      const rows = await db.query<EventRow>(
        'SELECT * FROM events WHERE id = $1 AND merchant_id = $2 AND mode = $3',
        [id, merchantId, mode],
      );
      return rows[0] ? rowToEvent(rows[0]) : null;
    },

    async undispatchedEvents({ limit }) {
      const rows = await db.query<EventRow>(
        'SELECT * FROM events WHERE dispatched_at IS NULL ORDER BY id LIMIT $1',
        [limit],
      );
      return rows.map(rowToEvent);
    },

    async dispatchEvent({ eventId, deliveries, now }) {
      return db.transaction(async (tx) => {
        await insertDeliveries(tx, deliveries);
        const marked = await tx.query(
          'UPDATE events SET dispatched_at = $2 WHERE id = $1 AND dispatched_at IS NULL',
          [eventId, now],
        );
        return { first: marked.rowCount === 1 };
      });
    },

    async claimDueDeliveries({ now, limit, lockedUntil, lockToken }) {
      // SKIP LOCKED: concurrent claimers take different rows instead of queueing on the same ones.
      const rows = await db.query<DeliveryRow>(
        `UPDATE webhook_deliveries SET locked_until = $3, lock_token = $4
          WHERE id IN (
            SELECT id FROM webhook_deliveries
             WHERE status = 'pending' AND next_attempt_at <= $1
               AND (locked_until IS NULL OR locked_until <= $1)
             ORDER BY next_attempt_at LIMIT $2
             FOR UPDATE SKIP LOCKED)
          RETURNING ${DELIVERY_COLUMNS}`,
        [now, limit, lockedUntil, lockToken],
      );
      return rows.map(toDelivery).sort((a, b) => (a.id < b.id ? -1 : 1));
    },

    async recordAttempt({ id, lockToken, attempt, status, nextAttemptAt, now }) {
      const { length } = await db.query(
        `UPDATE webhook_deliveries
            SET attempts = attempts || $3::jsonb, status = $4, next_attempt_at = $5, updated_at = $6,
                locked_until = NULL, lock_token = NULL
          WHERE id = $1 AND lock_token = $2 AND status = 'pending'
          RETURNING 1`,
        [id, lockToken, jsonParam([attempt]), status, nextAttemptAt, now],
      );
      return length > 0;
    },

    async listDeliveries({ merchantId, mode, eventId }) {
      const rows = await db.query<DeliveryRow>(
        `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries
          WHERE event_id = $1 AND merchant_id = $2 AND mode = $3 ORDER BY id`,
        [eventId, merchantId, mode],
      );
      return rows.map(toDelivery);
    },

    async resendEvent({ merchantId, mode, eventId, deliveries, now }) {
      const endpointIds = deliveries.map((d) => d.endpointId);
      return db.transaction(async (tx) => {
        await insertDeliveries(tx, deliveries);
        // A delivery in flight keeps its lease: the requeue only makes it due again afterwards.
        const { rows } = await tx.query<DeliveryRow>(
          `UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = $4, updated_at = $4
            WHERE event_id = $1 AND merchant_id = $2 AND mode = $3 AND endpoint_id = ANY ($5)
            RETURNING ${DELIVERY_COLUMNS}`,
          [eventId, merchantId, mode, now, endpointIds],
        );
        return rows.map(toDelivery).sort((a, b) => (a.id < b.id ? -1 : 1));
      });
    },
  };
}
