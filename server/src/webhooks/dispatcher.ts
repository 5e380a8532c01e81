import { type Clock, newId, type OutboxEvent, type Store, type WebhookDelivery } from '@payrail/core';
import { endpointTakesShop, shopOfEvent } from './endpoint-shop';

/**
 * Turns outbox events into deliveries, one per (event, subscribed endpoint), and marks each event
 * dispatched in the same write. Safe to run in several processes at once: the (event, endpoint) pair is
 * unique, so a second dispatcher of the same event adds nothing. Returns how many events it handled.
 */
export async function dispatchOutbox(args: {
  store: Store;
  clock: Clock;
  batchSize?: number;
  /**
   * Runs once per event, in the process whose dispatch marked it (account notifications). Called after
   * the mark, so a crash in between skips it: at most once, unlike webhooks, which are at least once.
   */
  onDispatched?: (event: OutboxEvent) => Promise<void>;
  /**
   * Runs for each event before it is marked dispatched (durable notifications, deduplicated per event):
   * a crash in between runs it again on the next pass instead of skipping it.
   */
  beforeDispatch?: (event: OutboxEvent) => Promise<void>;
}): Promise<number> {
  const { store, clock } = args;
  const events = await store.webhooks.undispatchedEvents({ limit: args.batchSize ?? 100 });
  // One endpoint lookup per (merchant, mode, type) per batch instead of one per event: a batch is mostly
  // one merchant's events of a few types, and the lookup was half of the dispatcher's round trips (the
  // soak at 69 payments/s outran it). An endpoint added during the batch is seen by the next batch.
  const endpointsOf = new Map<string, ReturnType<Store['webhooks']['endpointsFor']>>();
  for (const event of events) {
    const now = clock.now();
    const key = `${event.merchantId}\u0000${event.mode}\u0000${event.type}`;
    let lookup = endpointsOf.get(key);
    if (!lookup) {
      lookup = store.webhooks.endpointsFor({
        merchantId: event.merchantId,
        mode: event.mode,
        type: event.type,
      });
      endpointsOf.set(key, lookup);
    }
    const endpoints = await lookup;
    // A per-shop endpoint takes only events of its shop's payments (and their refunds).
    const shopId = shopOfEvent(event.data);
    const deliveries = endpoints
      .filter((endpoint) => endpointTakesShop(endpoint, shopId))
      .map((endpoint) => newDelivery(event.id, endpoint, now));
    if (args.beforeDispatch) await args.beforeDispatch(event);
    const { first } = await store.webhooks.dispatchEvent({ eventId: event.id, deliveries, now });
    if (first && args.onDispatched) await args.onDispatched(event);
  }
  return events.length;
}

export function newDelivery(
  eventId: string,
  endpoint: { id: string; merchantId: string; mode: WebhookDelivery['mode'] },
  now: Date,
): WebhookDelivery {
  return {
    id: newId('webhookDelivery', now.getTime()),
    eventId,
    endpointId: endpoint.id,
    merchantId: endpoint.merchantId,
    mode: endpoint.mode,
    status: 'pending',
    attempts: [],
    nextAttemptAt: now,
    createdAt: now,
    updatedAt: now,
  };
}
