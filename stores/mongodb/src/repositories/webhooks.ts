import type { WebhookDelivery, WebhookEndpoint, WebhookRepository } from '@payrail/core';
import type { Collections } from '../collections';
import {
  byId,
  type DeliveryDoc,
  decodeEvent,
  type EndpointDoc,
  type EventDoc,
  encodeEvent,
  eventKey,
} from '../documents';
import { isDuplicateKey } from '../errors';
import { keyId } from '../keys';

const endpointKey = (id: string) => keyId('webhookEndpoint', id);
/** One delivery per (event, endpoint): the `_id` derives from the pair. */
const deliveryKey = (eventId: string, endpointId: string) => keyId('webhookDelivery', eventId, endpointId);

const toEndpoint = ({ _id, ...endpoint }: EndpointDoc): WebhookEndpoint => endpoint;
const toDelivery = ({ _id, lockedUntil, lockToken, ...delivery }: DeliveryDoc): WebhookDelivery => delivery;
const toDoc = (d: WebhookDelivery): DeliveryDoc => ({
  _id: deliveryKey(d.eventId, d.endpointId),
  ...d,
  lockedUntil: null,
  lockToken: null,
});

/**
 * Merchant webhooks. Events written with a payment change stay in the payment document; the payment's
 * `undispatched` list holds the ids of those not yet turned into deliveries (`$pull`ed by
 * `dispatchEvent`). Events about no payment (an endpoint disabled) live in `events`, with their own
 * `dispatchedAt`.
 *
 * Two steps are two single-document writes where PostgreSQL uses a transaction: `deleteEndpoint` marks
 * the endpoint deleted, then fails its pending deliveries; `disableEndpoint` disables it, then writes the
 * event. A crash between them leaves pending deliveries of a deleted endpoint (the sender checks the
 * endpoint), or a disabled endpoint without its event.
 */
export function webhookRepository({
  run,
  webhookEndpoints,
  webhookDeliveries,
  events,
  payments,
}: Collections): WebhookRepository {
  /** Inserts deliveries, leaving alone any (event, endpoint) pair that already has one. */
  async function insertDeliveries(deliveries: readonly WebhookDelivery[]): Promise<void> {
    for (const delivery of deliveries) {
      await run(async () => {
        try {
          await webhookDeliveries.insertOne(toDoc(delivery));
        } catch (error) {
          if (!isDuplicateKey(error)) throw error;
        }
      });
    }
  }

  return {
    async createEndpoint({ endpoint }) {
      await run(() => webhookEndpoints.insertOne({ _id: endpointKey(endpoint.id), ...endpoint }));
    },

    async getEndpoint({ merchantId, mode, id }) {
      const doc = await run(() => webhookEndpoints.findOne({ _id: endpointKey(id), id, merchantId, mode }));
      return doc ? toEndpoint(doc) : null;
    },

    async listEndpoints({ merchantId, mode }) {
      const docs = await run(() =>
        webhookEndpoints
          .find({ merchantId, mode, status: { $ne: 'deleted' } })
          .sort({ id: 1 })
          .toArray(),
      );
      return docs.map(toEndpoint);
    },

    async updateEndpoint({ merchantId, mode, id, change, now }) {
      const set: Partial<WebhookEndpoint> = { updatedAt: now };
      if (change.url !== undefined) set.url = change.url;
      if (change.eventTypes !== undefined) set.eventTypes = change.eventTypes;
      if (change.description !== undefined) set.description = change.description;
      if (change.status !== undefined) set.status = change.status;
      // Enabling is a fresh start: the run of failures the endpoint was disabled for ends.
      if (change.status === 'enabled') set.failingSince = null;
      const doc = await run(() =>
        webhookEndpoints.findOneAndUpdate(
          { _id: endpointKey(id), id, merchantId, mode, status: { $ne: 'deleted' } },
          { $set: set },
          { returnDocument: 'after' },
        ),
      );
      return doc ? toEndpoint(doc) : null;
    },

    async deleteEndpoint({ merchantId, mode, id, now }) {
      const deleted = await run(() =>
        webhookEndpoints.updateOne(
          { _id: endpointKey(id), id, merchantId, mode, status: { $ne: 'deleted' } },
          { $set: { status: 'deleted', updatedAt: now } },
        ),
      );
      if (deleted.modifiedCount === 0) return false;
      await run(() =>
        webhookDeliveries.updateMany(
          { endpointId: id, status: 'pending' },
          { $set: { status: 'failed', nextAttemptAt: null, updatedAt: now } },
        ),
      );
      return true;
    },

    async endpointsFor({ merchantId, mode, type }) {
      const docs = await run(() =>
        webhookEndpoints
          .find({ merchantId, mode, status: 'enabled', eventTypes: { $in: [type, '*'] } })
          .sort({ id: 1 })
          .toArray(),
      );
      return docs.map(toEndpoint);
    },

    async recordEndpointResult({ id, ok, now }) {
      const _id = endpointKey(id);
      if (!ok) {
        // Sets `failingSince` only if unset: two conditional updates, each atomic.
        await run(() =>
          webhookEndpoints.updateOne({ _id, id, failingSince: null }, { $set: { failingSince: now } }),
        );
      }
      const doc = await run(() =>
        webhookEndpoints.findOneAndUpdate(
          { _id, id },
          { $set: { updatedAt: now, ...(ok ? { failingSince: null } : {}) } },
          { returnDocument: 'after' },
        ),
      );
      return doc ? toEndpoint(doc) : null;
    },

    async disableEndpoint({ id, now, event }) {
      const disabled = await run(() =>
        webhookEndpoints.updateOne(
          { _id: endpointKey(id), id, status: 'enabled' },
          { $set: { status: 'disabled', updatedAt: now } },
        ),
      );
      if (disabled.modifiedCount === 0) return false;
      await run(() =>
        events.insertOne({ _id: eventKey(event.id), ...encodeEvent(event), dispatchedAt: null }),
      );
      return true;
    },

    async getEvent({ merchantId, mode, id }) {
      const payment = await run(() =>
        payments.findOne({ 'events.id': id, merchantId, mode }, { projection: { events: 1 } }),
      );
      const embedded = payment?.events.find(
        (e) => e.id === id && e.merchantId === merchantId && e.mode === mode,
      );
      if (embedded) return decodeEvent(embedded);
      const standalone = await run(() => events.findOne({ _id: eventKey(id), id, merchantId, mode }));
      return standalone ? decodeEvent(standalone) : null;
    },

    async undispatchedEvents({ limit: requested }) {
      const limit = Math.max(1, Math.min(Math.trunc(requested), 1000));
      const [withPayments, standalone] = await Promise.all([
        run(() =>
          payments
            .find({ 'undispatched.0': { $exists: true } }, { projection: { events: 1, undispatched: 1 } })
            .sort({ id: 1 })
            .limit(limit)
            .toArray(),
        ),
        run(() => events.find({ dispatchedAt: null }).sort({ id: 1 }).limit(limit).toArray()),
      ]);
      const pending: EventDoc[] = withPayments.flatMap((doc) =>
        doc.events.filter((e) => doc.undispatched.includes(e.id)),
      );
      return [...pending, ...standalone].sort(byId).slice(0, limit).map(decodeEvent);
    },

    async dispatchEvent({ eventId, deliveries, now }) {
      await insertDeliveries(deliveries);
      const marked = await run(() =>
        payments.updateOne({ undispatched: eventId }, { $pull: { undispatched: eventId } }),
      );
      if (marked.modifiedCount > 0) return { first: true };
      const dispatched = await run(() =>
        events.updateOne(
          { _id: eventKey(eventId), id: eventId, dispatchedAt: null },
          { $set: { dispatchedAt: now } },
        ),
      );
      return { first: dispatched.modifiedCount > 0 };
    },

    async claimDueDeliveries({ now, limit, lockedUntil, lockToken }) {
      const due = {
        status: 'pending' as const,
        nextAttemptAt: { $lte: now },
        $or: [{ lockedUntil: null }, { lockedUntil: { $lte: now } }],
      };
      const candidates = await run(() =>
        webhookDeliveries
          .find(due)
          .sort({ nextAttemptAt: 1 })
          .limit(Math.max(1, Math.trunc(limit)))
          .toArray(),
      );
      // Each lease is a compare-and-set on the candidate still being due and unleased.
      const leased: WebhookDelivery[] = [];
      for (const candidate of candidates) {
        const doc = await run(() =>
          webhookDeliveries.findOneAndUpdate(
            { _id: candidate._id, ...due },
            { $set: { lockedUntil, lockToken } },
            { returnDocument: 'after' },
          ),
        );
        if (doc) leased.push(toDelivery(doc));
      }
      return leased.sort(byId);
    },

    async recordAttempt({ id, lockToken, attempt, status, nextAttemptAt, now }) {
      const result = await run(() =>
        webhookDeliveries.updateOne(
          { id, lockToken, status: 'pending' },
          {
            $push: { attempts: attempt },
            $set: { status, nextAttemptAt, updatedAt: now, lockedUntil: null, lockToken: null },
          },
        ),
      );
      return result.modifiedCount > 0;
    },

    async listDeliveries({ merchantId, mode, eventId }) {
      const docs = await run(() =>
        webhookDeliveries.find({ eventId, merchantId, mode }).sort({ id: 1 }).toArray(),
      );
      return docs.map(toDelivery);
    },

    async resendEvent({ merchantId, mode, eventId, deliveries, now }) {
      await insertDeliveries(deliveries);
      const endpointIds = deliveries.map((d) => d.endpointId);
      // A delivery in flight keeps its lease: the requeue only makes it due again afterwards.
      await run(() =>
        webhookDeliveries.updateMany(
          { eventId, merchantId, mode, endpointId: { $in: endpointIds } },
          { $set: { status: 'pending', nextAttemptAt: now, updatedAt: now } },
        ),
      );
      const docs = await run(() =>
        webhookDeliveries
          .find({ eventId, merchantId, mode, endpointId: { $in: endpointIds } })
          .sort({ id: 1 })
          .toArray(),
      );
      return docs.map(toDelivery);
    },
  };
}
