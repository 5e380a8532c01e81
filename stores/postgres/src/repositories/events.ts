import type { EventRepository } from '@payrail/core';
import type { Db } from '../db';
import { type EventRow, rowToEvent } from '../mapping/event';
import { clampLimit, toPage, Where } from './pagination';

export function eventRepository(db: Db): EventRepository {
  return {
    /** Newest first, like payments: event ids sort by creation time. */
    async list(filter) {
      const limit = clampLimit(filter.limit);
      const where = new Where()
        .add('merchant_id = ?', filter.merchantId)
        .add('mode = ?', filter.mode)
        .addIf('id < ?', filter.startingAfter)
        .addIf('type = ?', filter.type)
        .addIf('object_id = ?', filter.objectId);
      const rows = await db.query<EventRow>(
        `SELECT * FROM events WHERE ${where.text} ORDER BY id DESC LIMIT ${where.param(limit + 1)}`,
        where.values,
      );
      return toPage(rows, limit, rowToEvent);
    },
  };
}
