import type { NotificationRepository, QueuedNotification } from '@payrail/core';
import type { Filter } from 'mongodb';
import type { Collections } from '../collections';
import { isDuplicateKey } from '../errors';
import { keyId } from '../keys';
import type { NotificationDoc } from '../notification-documents';

const notificationKey = (dedupeKey: string) => keyId('notification', dedupeKey);

const toMessage = ({ _id, leaseUntil, leaseToken, ...message }: NotificationDoc): QueuedNotification =>
  message;

/** Claimable at `now`: queued and due, or leased by a process whose lease ran out. */
const claimable = (now: Date): Filter<NotificationDoc> => ({
  $or: [
    { status: 'queued', nextAttemptAt: { $lte: now } },
    { status: 'sending', leaseUntil: { $lte: now } },
  ],
});

export function notificationRepository(all: Collections): NotificationRepository {
  const { notifications, run } = all;

  const lease = (filter: Filter<NotificationDoc>, now: Date, leaseUntil: Date, leaseToken: string) =>
    run(() =>
      notifications.findOneAndUpdate(
        filter,
        {
          $set: { status: 'sending', leaseUntil, leaseToken, updatedAt: now },
          $inc: { attempts: 1 },
        },
        { returnDocument: 'after' },
      ),
    );

  return {
    async enqueue({ message }) {
      const inserted = await run(async () => {
        try {
          await notifications.insertOne({
            ...message,
            _id: notificationKey(message.dedupeKey),
            leaseUntil: null,
            leaseToken: null,
          });
          return true;
        } catch (error) {
          // Checked on the driver's error, before `run` turns it into a PayrailError.
          if (isDuplicateKey(error)) return false;
          throw error;
        }
      });
      return { inserted };
    },

    async get({ id }) {
      const doc = await run(() => notifications.findOne({ id }));
      return doc ? toMessage(doc) : null;
    },

    async findByDedupeKey({ dedupeKey }) {
      const doc = await run(() => notifications.findOne({ _id: notificationKey(dedupeKey) }));
      // The readable key is checked too: a digest collision must not return another message.
      return doc && doc.dedupeKey === dedupeKey ? toMessage(doc) : null;
    },

    async claimDue({ now, limit, leaseUntil, leaseToken }) {
      const candidates = await run(() =>
        notifications
          .find(claimable(now))
          .sort({ nextAttemptAt: 1 })
          .limit(Math.max(1, Math.trunc(limit)))
          .toArray(),
      );
      // Each lease is a compare-and-set on the candidate still being claimable.
      const leased: QueuedNotification[] = [];
      for (const candidate of candidates) {
        const doc = await lease({ _id: candidate._id, ...claimable(now) }, now, leaseUntil, leaseToken);
        if (doc) leased.push(toMessage(doc));
      }
      return leased.sort((a, b) => (a.id < b.id ? -1 : 1));
    },

    async claim({ id, now, leaseUntil, leaseToken }) {
      const doc = await lease({ id, ...claimable(now) }, now, leaseUntil, leaseToken);
      return doc ? toMessage(doc) : null;
    },

    async markSent({ id, leaseToken, now }) {
      const result = await run(() =>
        notifications.updateOne(
          { id, leaseToken, status: 'sending' },
          {
            $set: {
              status: 'sent',
              sentAt: now,
              updatedAt: now,
              nextAttemptAt: null,
              leaseUntil: null,
              leaseToken: null,
              lastError: null,
              text: '',
              html: '',
            },
          },
        ),
      );
      return result.modifiedCount > 0;
    },

    async recordFailure({ id, leaseToken, error, nextAttemptAt, now }) {
      const giveUp = nextAttemptAt === null;
      const result = await run(() =>
        notifications.updateOne(
          { id, leaseToken, status: 'sending' },
          {
            $set: {
              status: giveUp ? 'failed' : 'queued',
              nextAttemptAt,
              lastError: error,
              updatedAt: now,
              leaseUntil: null,
              leaseToken: null,
              ...(giveUp ? { text: '', html: '' } : {}),
            },
          },
        ),
      );
      return result.modifiedCount > 0;
    },
  };
}
