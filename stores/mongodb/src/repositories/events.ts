import type { EventRepository } from '@payrail/core';
import type { Document } from 'mongodb';
import type { Collections } from '../collections';
import { byId, decodeEvent, type EventDoc } from '../documents';
import { clampLimit } from './pagination';

/**
 * Events are the outbox inside each payment document; listing unwinds the merchant's payments that
 * have events (index `payments_events`) and pages by event id, newest first. Events about no payment
 * (e.g. a webhook endpoint disabled) are in `events` and merged in.
 */
export function eventRepository({ run, payments, events }: Collections): EventRepository {
  return {
    async list({ merchantId, mode, limit: requested, startingAfter, type, objectId }) {
      const limit = clampLimit(requested);
      const eventFilter: Document = { merchantId, mode };
      if (startingAfter !== undefined) eventFilter.id = { $lt: startingAfter };
      if (type !== undefined) eventFilter.type = type;
      if (objectId !== undefined) eventFilter.objectId = objectId;
      const prefilter: Document = { merchantId, mode, 'events.0': { $exists: true } };
      if (type !== undefined) prefilter['events.type'] = type;
      if (objectId !== undefined) prefilter['events.objectId'] = objectId;
      const [embedded, standalone] = await Promise.all([
        run(() =>
          payments
            .aggregate<EventDoc>([
              { $match: prefilter },
              { $unwind: '$events' },
              { $replaceRoot: { newRoot: '$events' } },
              { $match: eventFilter },
              { $sort: { id: -1 } },
              { $limit: limit + 1 },
            ])
            .toArray(),
        ),
        run(() =>
          events
            .find(eventFilter)
            .sort({ id: -1 })
            .limit(limit + 1)
            .toArray(),
        ),
      ]);
      const docs = [...embedded, ...standalone]
        .sort(byId)
        .reverse()
        .slice(0, limit + 1);
      return { data: docs.slice(0, limit).map(decodeEvent), hasMore: docs.length > limit };
    },
  };
}
