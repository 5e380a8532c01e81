import type { QueuedNotification } from '@payrail/core';
import type { ObjectId } from 'mongodb';

/**
 * A queued notification. `_id` derives from the dedupe key, so a second enqueue of the same message is
 * a duplicate-key error (uniqueness on `_id` alone, as everywhere in this store).
 */
export type NotificationDoc = QueuedNotification & {
  _id: ObjectId;
  leaseUntil: Date | null;
  leaseToken: string | null;
};
