import { type IdempotencyScope, newId, type Store, ulid } from '@payrail/core';
import { expect } from 'vitest';
import type { ContractCase } from '../contract';
import { seedMerchant } from './seed';

const MINUTE = 60_000;
const T0 = new Date('2030-01-01T00:00:00.000Z').getTime();

/** begin() at `minute` minutes after T0, with a 1-minute lock and a 24-hour retention. */
function beginAt(
  store: Store,
  scope: IdempotencyScope,
  requestHash: string,
  minute: number,
  resourceUlid: string = ulid(),
) {
  const now = T0 + minute * MINUTE;
  return store.idempotency.begin({
    ...scope,
    requestHash,
    now: new Date(now),
    lockedUntil: new Date(now + MINUTE),
    expiresAt: new Date(now + 24 * 60 * MINUTE),
    resourceUlid,
  });
}

/** A fresh claim: it keeps the ULID it proposed. */
const startedWith = (resourceUlid: string) => ({ state: 'started', resourceUlid, resumed: false });
const STARTED = { state: 'started', resumed: false };

async function newScope(store: Store): Promise<IdempotencyScope> {
  const merchant = await seedMerchant(store);
  return { merchantId: merchant.id, mode: 'test', key: `key-${newId('request')}` };
}

const RESPONSE = {
  statusCode: 201,
  body: { id: 'pay_1', amount: 100, nested: { z: 1, a: [true, null, 'x'] } },
};

export const idempotencyCases: ContractCase[] = [
  {
    name: 'idempotency: begin, complete, then replay',
    async run({ store }) {
      const scope = await newScope(store);
      expect(await beginAt(store, scope, 'h1', 0)).toMatchObject(STARTED);
      expect(await beginAt(store, scope, 'h1', 0.5)).toEqual({ state: 'in_flight' });
      await store.idempotency.complete({ ...scope, response: RESPONSE });
      expect(await beginAt(store, scope, 'h1', 1)).toEqual({ state: 'completed', response: RESPONSE });
      // Long after the lock, still within retention: still a replay.
      expect(await beginAt(store, scope, 'h1', 600)).toEqual({ state: 'completed', response: RESPONSE });
    },
  },
  {
    name: 'idempotency: the same key with a different request is a mismatch',
    async run({ store }) {
      const scope = await newScope(store);
      expect(await beginAt(store, scope, 'h1', 0)).toMatchObject(STARTED);
      expect(await beginAt(store, scope, 'h2', 0.5)).toEqual({ state: 'mismatch' });
      // Even once the first request's lock is stale: it may have had effects.
      expect(await beginAt(store, scope, 'h2', 5)).toEqual({ state: 'mismatch' });
      await store.idempotency.complete({ ...scope, response: RESPONSE });
      expect(await beginAt(store, scope, 'h2', 6)).toEqual({ state: 'mismatch' });
    },
  },
  {
    name: 'idempotency: abandon releases the lock but keeps the request and its reserved ULID',
    async run({ store }) {
      const scope = await newScope(store);
      const first = ulid();
      expect(await beginAt(store, scope, 'h1', 0, first)).toEqual(startedWith(first));
      await store.idempotency.abandon(scope);
      // The failed attempt may have had effects: another request with the key is a mismatch, at once…
      expect(await beginAt(store, scope, 'h2', 0.1)).toEqual({ state: 'mismatch' });
      // …and the same request takes the key over at once (within the first lock), with the first ULID.
      expect(await beginAt(store, scope, 'h1', 0.2, ulid())).toEqual({
        state: 'started',
        resourceUlid: first,
        resumed: true,
      });
      // Taken over with a new lock: busy again, and a second abandon frees it the same way.
      expect(await beginAt(store, scope, 'h1', 0.3)).toEqual({ state: 'in_flight' });
      await store.idempotency.abandon(scope);
      expect(await beginAt(store, scope, 'h1', 0.4, ulid())).toEqual({
        state: 'started',
        resourceUlid: first,
        resumed: true,
      });
      // Abandon touches only in-flight records: a completed one stays for replays.
      await store.idempotency.complete({ ...scope, response: RESPONSE });
      await store.idempotency.abandon(scope);
      expect(await beginAt(store, scope, 'h1', 0.5)).toEqual({ state: 'completed', response: RESPONSE });
      expect(await beginAt(store, scope, 'h2', 0.6)).toEqual({ state: 'mismatch' });
      // Retention still applies: a day later the key is free for any request, with a new ULID.
      const later = ulid();
      expect(await beginAt(store, scope, 'h2', 24 * 60 + 1, later)).toEqual(startedWith(later));
    },
  },
  {
    name: 'idempotency: an abandoned key is taken over by one of many concurrent retries',
    async run({ store }) {
      const scope = await newScope(store);
      const first = ulid();
      expect(await beginAt(store, scope, 'h1', 0, first)).toEqual(startedWith(first));
      await store.idempotency.abandon(scope);
      const retries = await Promise.all(Array.from({ length: 20 }, () => beginAt(store, scope, 'h1', 0.1)));
      expect(retries.filter((r) => r.state === 'started')).toEqual([
        { state: 'started', resourceUlid: first, resumed: true },
      ]);
      expect(retries.filter((r) => r.state === 'in_flight')).toHaveLength(19);
    },
  },
  {
    name: 'idempotency: an expired record counts as absent',
    async run({ store }) {
      const scope = await newScope(store);
      expect(await beginAt(store, scope, 'h1', 0)).toMatchObject(STARTED);
      await store.idempotency.complete({ ...scope, response: RESPONSE });
      // 24 h retention: a day and a minute later the key is free, for any request, with a new ULID.
      const later = ulid();
      expect(await beginAt(store, scope, 'h2', 24 * 60 + 1, later)).toEqual(startedWith(later));
      expect(await beginAt(store, scope, 'h2', 24 * 60 + 1.5)).toEqual({ state: 'in_flight' });
    },
  },
  {
    name: 'idempotency: a stale in-flight lock is taken over by the same request',
    async run({ store }) {
      const scope = await newScope(store);
      const first = ulid();
      expect(await beginAt(store, scope, 'h1', 0, first)).toEqual(startedWith(first));
      expect(await beginAt(store, scope, 'h1', 0.9)).toEqual({ state: 'in_flight' });
      // The first holder died: its lock (1 minute) passed, the retry owns the key now, with a new lock,
      // and gets the first attempt's ULID back to look for what that attempt may have created.
      expect(await beginAt(store, scope, 'h1', 2, ulid())).toEqual({
        state: 'started',
        resourceUlid: first,
        resumed: true,
      });
      expect(await beginAt(store, scope, 'h1', 2.5)).toEqual({ state: 'in_flight' });
      await store.idempotency.complete({ ...scope, response: RESPONSE });
      expect(await beginAt(store, scope, 'h1', 10)).toEqual({ state: 'completed', response: RESPONSE });
    },
  },
  {
    name: 'idempotency: keys are scoped per merchant and mode',
    async run({ store }) {
      const scope = await newScope(store);
      const other = await seedMerchant(store);
      expect(await beginAt(store, scope, 'h1', 0)).toMatchObject(STARTED);
      expect(await beginAt(store, { ...scope, mode: 'live' }, 'h2', 0)).toMatchObject(STARTED);
      expect(await beginAt(store, { ...scope, merchantId: other.id }, 'h3', 0)).toMatchObject(STARTED);
      expect(await beginAt(store, scope, 'h1', 0.1)).toEqual({ state: 'in_flight' });
    },
  },
  {
    name: 'idempotency: 50 concurrent begins, exactly one starts',
    async run({ store }) {
      const scope = await newScope(store);
      const results = await Promise.all(Array.from({ length: 50 }, () => beginAt(store, scope, 'h1', 0)));
      expect(results.filter((r) => r.state === 'started')).toHaveLength(1);
      expect(results.filter((r) => r.state === 'in_flight')).toHaveLength(49);

      // And the same race over a stale lock: one takeover.
      const takeovers = await Promise.all(Array.from({ length: 50 }, () => beginAt(store, scope, 'h1', 5)));
      expect(takeovers.filter((r) => r.state === 'started')).toHaveLength(1);
      expect(takeovers.filter((r) => r.state === 'in_flight')).toHaveLength(49);
    },
  },
];
