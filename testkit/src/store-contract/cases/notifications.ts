import { newId, type QueuedNotification } from '@payrail/core';
import { expect } from 'vitest';
import type { ContractCase } from '../contract';

function makeNotification(now: Date, overrides: Partial<QueuedNotification> = {}): QueuedNotification {
  const id = newId('notification', now.getTime());
  return {
    id,
    dedupeKey: `evt_contract:${id}:merchant_new_payment`,
    userId: null,
    channel: 'email',
    address: 'owner@example.com',
    template: 'merchant_new_payment',
    locale: 'en',
    subject: 'New payment',
    text: 'A single-use link: https://x.test/?token=abc',
    html: '<p>New payment</p>',
    status: 'queued',
    attempts: 0,
    nextAttemptAt: now,
    lastError: null,
    createdAt: now,
    updatedAt: now,
    sentAt: null,
    ...overrides,
  };
}

const plus = (date: Date, ms: number) => new Date(date.getTime() + ms);

export const notificationCases: ContractCase[] = [
  {
    name: 'notifications: enqueue is deduplicated by key and round-trips the message',
    async run({ store }) {
      const now = new Date();
      const message = makeNotification(now, { userId: 'usr_contract', channel: 'telegram', address: '42' });
      expect(await store.notifications.enqueue({ message })).toEqual({ inserted: true });
      const again = makeNotification(now, { dedupeKey: message.dedupeKey, subject: 'other' });
      expect(await store.notifications.enqueue({ message: again })).toEqual({ inserted: false });
      expect(await store.notifications.get({ id: message.id })).toEqual(message);
      expect(await store.notifications.get({ id: again.id })).toBeNull();
      expect(await store.notifications.findByDedupeKey({ dedupeKey: message.dedupeKey })).toEqual(message);
      expect(await store.notifications.findByDedupeKey({ dedupeKey: `${message.dedupeKey}:x` })).toBeNull();
    },
  },
  {
    name: 'notifications: leases are exclusive; a lost lease cannot mark; an expired lease is claimed again',
    async run({ store }) {
      // Far in the future: messages of other cases (due now) are not claimable before this case's clock.
      const now = new Date(Date.UTC(2090, 0, 1) + Math.floor(Math.random() * 1e9));
      const message = makeNotification(now);
      await store.notifications.enqueue({ message });
      const leaseUntil = plus(now, 60_000);
      const first = await store.notifications.claim({ id: message.id, now, leaseUntil, leaseToken: 'a' });
      expect(first).toMatchObject({ status: 'sending', attempts: 1 });
      // Held: neither a second claim nor a due scan takes it.
      expect(
        await store.notifications.claim({ id: message.id, now, leaseUntil, leaseToken: 'b' }),
      ).toBeNull();
      const due = await store.notifications.claimDue({ now, limit: 100, leaseUntil, leaseToken: 'b' });
      expect(due.map((m) => m.id)).not.toContain(message.id);
      // The lease runs out (its holder died): another claimer takes it, and the old holder can no longer mark.
      const later = plus(now, 60_000);
      const retaken = await store.notifications.claimDue({
        now: later,
        limit: 100,
        leaseUntil: plus(later, 60_000),
        leaseToken: 'c',
      });
      expect(retaken.find((m) => m.id === message.id)).toMatchObject({ status: 'sending', attempts: 2 });
      expect(await store.notifications.markSent({ id: message.id, leaseToken: 'a', now: later })).toBe(false);
      expect(await store.notifications.markSent({ id: message.id, leaseToken: 'c', now: later })).toBe(true);
      expect(await store.notifications.get({ id: message.id })).toMatchObject({
        status: 'sent',
        sentAt: later,
        nextAttemptAt: null,
        text: '',
        html: '',
        attempts: 2,
      });
      // Sent is final.
      expect(
        await store.notifications.claim({
          id: message.id,
          now: plus(later, 1e9),
          leaseUntil,
          leaseToken: 'd',
        }),
      ).toBeNull();
    },
  },
  {
    name: 'notifications: failures reschedule or give up; concurrent due scans never share a message',
    async run({ store }) {
      const now = new Date(Date.UTC(2095, 0, 1) + Math.floor(Math.random() * 1e9));
      const messages = [makeNotification(now), makeNotification(now), makeNotification(now)];
      for (const message of messages) await store.notifications.enqueue({ message });
      const leaseUntil = plus(now, 60_000);
      const [x, y] = await Promise.all([
        store.notifications.claimDue({ now, limit: 100, leaseUntil, leaseToken: 'x' }),
        store.notifications.claimDue({ now, limit: 100, leaseUntil, leaseToken: 'y' }),
      ]);
      const ids = messages.map((m) => m.id);
      const claimedIds = [...x, ...y].map((m) => m.id).filter((id) => ids.includes(id));
      expect(claimedIds.sort()).toEqual([...ids].sort());
      const tokenOf = (id: string) => (x.some((m) => m.id === id) ? 'x' : 'y');

      const [retry, giveUp] = messages;
      if (!retry || !giveUp) throw new Error('messages');
      const next = plus(now, 10_000);
      expect(
        await store.notifications.recordFailure({
          id: retry.id,
          leaseToken: 'wrong',
          error: 'refused',
          nextAttemptAt: next,
          now,
        }),
      ).toBe(false);
      expect(
        await store.notifications.recordFailure({
          id: retry.id,
          leaseToken: tokenOf(retry.id),
          error: 'connect ECONNREFUSED',
          nextAttemptAt: next,
          now,
        }),
      ).toBe(true);
      expect(await store.notifications.get({ id: retry.id })).toMatchObject({
        status: 'queued',
        attempts: 1,
        nextAttemptAt: next,
        lastError: 'connect ECONNREFUSED',
        text: retry.text,
      });
      expect(
        await store.notifications.recordFailure({
          id: giveUp.id,
          leaseToken: tokenOf(giveUp.id),
          error: 'gave up',
          nextAttemptAt: null,
          now,
        }),
      ).toBe(true);
      expect(await store.notifications.get({ id: giveUp.id })).toMatchObject({
        status: 'failed',
        nextAttemptAt: null,
        text: '',
        html: '',
      });
      // Not due before its next attempt; due at it.
      const early = await store.notifications.claim({ id: retry.id, now, leaseUntil, leaseToken: 'z' });
      expect(early).toBeNull();
      const onTime = await store.notifications.claim({
        id: retry.id,
        now: next,
        leaseUntil: plus(next, 60_000),
        leaseToken: 'z',
      });
      expect(onTime).toMatchObject({ status: 'sending', attempts: 2 });
    },
  },
];
