import { createHash, randomBytes } from 'node:crypto';
import { type AccountToken, newId, type Session, type User } from '@payrail/core';
import { expect } from 'vitest';
import type { ContractCase } from '../contract';
import { makeApiKey, makeMerchant } from '../fixtures';

const T0 = new Date('2030-01-01T00:00:00.000Z').getTime();
const at = (minutes: number) => new Date(T0 + minutes * 60_000);
const hash = () => createHash('sha256').update(randomBytes(16)).digest('hex');

export function makeUser(overrides: Partial<User> = {}): User {
  const id = overrides.id ?? newId('user');
  return {
    id,
    accountType: 'buyer',
    role: 'buyer',
    merchantId: null,
    login: `${id.toLowerCase()}@people.example`,
    loginKind: 'email',
    emailConfirmedAt: null,
    telegramId: null,
    telegramConfirmedAt: null,
    passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaA',
    financialPasswordHash: null,
    totpSecret: null,
    totpEnabledAt: null,
    recoveryCodeHashes: [],
    notifyChannel: 'email',
    locale: 'en',
    loginFailures: 0,
    loginLockedUntil: null,
    financialFailures: 0,
    financialLockedUntil: null,
    createdAt: at(0),
    updatedAt: at(0),
    version: 1,
    ...overrides,
  };
}

function makeSession(userId: string, overrides: Partial<Session> = {}): Session {
  return {
    id: newId('session'),
    userId,
    tokenHash: hash(),
    createdAt: at(0),
    expiresAt: at(60),
    ip: '203.0.113.7',
    userAgent: 'contract',
    revokedAt: null,
    ...overrides,
  };
}

function makeToken(userId: string, overrides: Partial<AccountToken> = {}): AccountToken {
  return {
    id: newId('accountToken'),
    purpose: 'password_reset',
    userId,
    tokenHash: hash(),
    data: { operation: 'payment.refund', amount: 500 },
    createdAt: at(0),
    expiresAt: at(60),
    usedAt: null,
    ...overrides,
  };
}

export const accountCases: ContractCase[] = [
  {
    name: 'users: insert, get, find by login and Telegram id; a taken login is refused',
    async run({ store }) {
      const merchant = makeMerchant();
      await store.merchants.create({ merchant, apiKeys: [] });
      const user = makeUser({
        accountType: 'merchant',
        role: 'owner',
        merchantId: merchant.id,
        recoveryCodeHashes: ['a', 'b'],
      });
      expect(await store.users.insert({ user })).toEqual({ ok: true });
      expect(await store.users.get({ id: user.id })).toEqual(user);
      expect(await store.users.findByLogin({ login: user.login })).toEqual(user);
      expect(await store.users.findByLogin({ login: `x${user.login}` })).toBeNull();
      expect(await store.users.listByMerchant({ merchantId: merchant.id })).toEqual([user]);
      expect(await store.users.insert({ user: makeUser({ login: user.login }) })).toEqual({
        ok: false,
        reason: 'login_taken',
      });

      const telegramId = String(Date.now()) + String(Math.floor(Math.random() * 1000));
      const tg = makeUser({ login: `@u${telegramId}`, loginKind: 'telegram', telegramId });
      expect(await store.users.insert({ user: tg })).toEqual({ ok: true });
      expect(await store.users.findByTelegramId({ telegramId })).toEqual(tg);
      expect(await store.users.findByTelegramId({ telegramId: `${telegramId}9` })).toBeNull();
    },
  },
  {
    name: 'users: update is a compare-and-set on version; a Telegram id binds to one user only',
    async run({ store }) {
      const user = makeUser();
      await store.users.insert({ user });
      const changed = { ...user, emailConfirmedAt: at(5), locale: 'ru', updatedAt: at(5) };
      const first = await store.users.update({ user: changed, expectedVersion: 1 });
      expect(first).toEqual({ ok: true, user: { ...changed, version: 2 } });
      expect(await store.users.update({ user: changed, expectedVersion: 1 })).toEqual({
        ok: false,
        reason: 'version_conflict',
      });

      const telegramId = `9${Date.now()}`;
      const a = makeUser({ telegramId });
      await store.users.insert({ user: a });
      const b = makeUser();
      await store.users.insert({ user: b });
      expect(await store.users.update({ user: { ...b, telegramId }, expectedVersion: 1 })).toEqual({
        ok: false,
        reason: 'telegram_id_taken',
      });
    },
  },
  {
    name: 'users: recordFailure counts atomically and locks at the limit; clearFailures resets',
    async run({ store }) {
      const user = makeUser();
      await store.users.insert({ user });
      const lockUntil = at(15);
      const results = await Promise.all(
        Array.from({ length: 4 }, () =>
          store.users.recordFailure({ id: user.id, kind: 'login', maxFailures: 5, lockUntil }),
        ),
      );
      expect(results.map((r) => r?.failures).sort()).toEqual([1, 2, 3, 4]);
      expect(results.every((r) => r?.lockedNow === false && r.lockedUntil === null)).toBe(true);
      const fifth = await store.users.recordFailure({
        id: user.id,
        kind: 'login',
        maxFailures: 5,
        lockUntil,
      });
      expect(fifth).toEqual({ failures: 5, lockedUntil: lockUntil, lockedNow: true });
      const stored = await store.users.get({ id: user.id });
      expect(stored?.loginLockedUntil).toEqual(lockUntil);
      expect(stored?.loginFailures).toBe(0);
      expect(stored?.financialFailures).toBe(0);

      await store.users.recordFailure({ id: user.id, kind: 'financial', maxFailures: 5, lockUntil });
      expect((await store.users.get({ id: user.id }))?.financialFailures).toBe(1);
      await store.users.clearFailures({ id: user.id, kind: 'login' });
      const cleared = await store.users.get({ id: user.id });
      expect(cleared?.loginLockedUntil).toBeNull();
      expect(cleared?.financialFailures).toBe(1);
      expect(
        await store.users.recordFailure({ id: newId('user'), kind: 'login', maxFailures: 5, lockUntil }),
      ).toBeNull();
    },
  },
  {
    name: 'users: a recovery code is consumed once, also under concurrency',
    async run({ store }) {
      const user = makeUser({ recoveryCodeHashes: ['h1', 'h2'] });
      await store.users.insert({ user });
      const tries = await Promise.all(
        [1, 2, 3].map(() => store.users.consumeRecoveryCode({ id: user.id, codeHash: 'h1' })),
      );
      expect(tries.filter(Boolean)).toHaveLength(1);
      expect(await store.users.consumeRecoveryCode({ id: user.id, codeHash: 'nope' })).toBe(false);
      expect((await store.users.get({ id: user.id }))?.recoveryCodeHashes).toEqual(['h2']);
    },
  },
  {
    name: 'sessions: active lookup, list, revoke one (own only) and revoke all but one',
    async run({ store }) {
      const user = makeUser();
      const other = makeUser();
      await store.users.insert({ user });
      await store.users.insert({ user: other });
      const s1 = makeSession(user.id, { createdAt: at(1) });
      const s2 = makeSession(user.id, { createdAt: at(2) });
      const s3 = makeSession(user.id, { createdAt: at(3) });
      const expired = makeSession(user.id, { expiresAt: at(10) });
      for (const session of [s1, s2, s3, expired]) await store.sessions.insert({ session });

      expect(await store.sessions.findActiveByHash({ tokenHash: s1.tokenHash, now: at(20) })).toEqual(s1);
      expect(await store.sessions.findActiveByHash({ tokenHash: expired.tokenHash, now: at(20) })).toBeNull();
      expect((await store.sessions.listActive({ userId: user.id, now: at(20) })).map((s) => s.id)).toEqual([
        s3.id,
        s2.id,
        s1.id,
      ]);

      expect(await store.sessions.revoke({ userId: other.id, id: s1.id, now: at(21) })).toBe(false);
      expect(await store.sessions.revoke({ userId: user.id, id: s1.id, now: at(21) })).toBe(true);
      expect(await store.sessions.revoke({ userId: user.id, id: s1.id, now: at(22) })).toBe(false);
      expect(await store.sessions.findActiveByHash({ tokenHash: s1.tokenHash, now: at(22) })).toBeNull();

      expect(await store.sessions.revokeAll({ userId: user.id, now: at(23), exceptId: s3.id })).toBe(2);
      expect((await store.sessions.listActive({ userId: user.id, now: at(24) })).map((s) => s.id)).toEqual([
        s3.id,
      ]);
      expect(await store.sessions.revokeAll({ userId: user.id, now: at(25) })).toBe(1);
    },
  },
  {
    name: 'accountTokens: consumed once; expired, used and unknown are told apart',
    async run({ store }) {
      const user = makeUser();
      await store.users.insert({ user });
      const token = makeToken(user.id);
      await store.accountTokens.insert({ token });

      const wrongPurpose = await store.accountTokens.consume({
        tokenHash: token.tokenHash,
        purpose: 'step_up',
        now: at(1),
      });
      expect(wrongPurpose).toEqual({ ok: false, reason: 'unknown' });
      const results = await Promise.all(
        [1, 2, 3].map(() =>
          store.accountTokens.consume({ tokenHash: token.tokenHash, purpose: 'password_reset', now: at(1) }),
        ),
      );
      const winners = results.filter((r) => r.ok);
      expect(winners).toEqual([{ ok: true, token: { ...token, usedAt: at(1) } }]);
      expect(results.filter((r) => !r.ok)).toEqual([
        { ok: false, reason: 'used' },
        { ok: false, reason: 'used' },
      ]);

      const late = makeToken(user.id, { expiresAt: at(5) });
      await store.accountTokens.insert({ token: late });
      expect(
        await store.accountTokens.consume({
          tokenHash: late.tokenHash,
          purpose: 'password_reset',
          now: at(5),
        }),
      ).toEqual({
        ok: false,
        reason: 'expired',
      });
      expect(
        await store.accountTokens.consume({ tokenHash: hash(), purpose: 'password_reset', now: at(1) }),
      ).toEqual({
        ok: false,
        reason: 'unknown',
      });

      const a = makeToken(user.id);
      const b = makeToken(user.id, { purpose: 'email_confirmation' });
      await store.accountTokens.insert({ token: a });
      await store.accountTokens.insert({ token: b });
      await store.accountTokens.invalidateAll({ userId: user.id, purpose: 'password_reset', now: at(2) });
      expect(
        (await store.accountTokens.consume({ tokenHash: a.tokenHash, purpose: 'password_reset', now: at(3) }))
          .ok,
      ).toBe(false);
      expect(
        (
          await store.accountTokens.consume({
            tokenHash: b.tokenHash,
            purpose: 'email_confirmation',
            now: at(3),
          })
        ).ok,
      ).toBe(true);
    },
  },
  {
    name: 'auditLog: per merchant, newest first, paginated',
    async run({ store }) {
      const merchant = makeMerchant();
      const entries = [1, 2, 3].map((n) => ({
        id: newId('audit', T0 + n),
        merchantId: merchant.id,
        userId: null,
        type: `t${n}`,
        ip: '203.0.113.7',
        userAgent: 'contract',
        data: { n },
        createdAt: at(n),
      }));
      for (const entry of entries) await store.auditLog.insert({ entry });
      await store.auditLog.insert({
        entry: { ...entries[0]!, id: newId('audit'), merchantId: makeMerchant().id },
      });
      const first = await store.auditLog.list({ merchantId: merchant.id, limit: 2 });
      expect(first.data.map((e) => e.type)).toEqual(['t3', 't2']);
      expect(first.hasMore).toBe(true);
      const second = await store.auditLog.list({
        merchantId: merchant.id,
        limit: 2,
        startingAfter: first.data[1]!.id,
      });
      expect(second).toEqual({ data: [entries[0]], hasMore: false });
    },
  },
  {
    name: 'apiKeys: insert, revoke (own merchant only), touch at most once per window',
    async run({ store }) {
      const merchant = makeMerchant();
      const other = makeMerchant();
      await store.merchants.create({ merchant, apiKeys: [] });
      await store.merchants.create({ merchant: other, apiKeys: [] });
      const key = { ...makeApiKey(merchant.id, { mode: 'live' }), expiresAt: at(100) };
      await store.apiKeys.insert({ apiKey: key });
      expect(await store.apiKeys.findActiveByHash({ secretHash: key.secretHash })).toEqual(key);

      await store.apiKeys.touch({ id: key.id, now: at(1), ifOlderThan: at(0) });
      await store.apiKeys.touch({ id: key.id, now: at(1.5), ifOlderThan: at(0.5) });
      expect((await store.apiKeys.list({ merchantId: merchant.id }))[0]?.lastUsedAt).toEqual(at(1));
      await store.apiKeys.touch({ id: key.id, now: at(3), ifOlderThan: at(2) });
      expect((await store.apiKeys.list({ merchantId: merchant.id }))[0]?.lastUsedAt).toEqual(at(3));

      expect(await store.apiKeys.revoke({ merchantId: other.id, id: key.id, now: at(4) })).toBeNull();
      const revoked = await store.apiKeys.revoke({ merchantId: merchant.id, id: key.id, now: at(4) });
      expect(revoked?.revokedAt).toEqual(at(4));
      expect(await store.apiKeys.findActiveByHash({ secretHash: key.secretHash })).toBeNull();
      expect(
        (await store.apiKeys.revoke({ merchantId: merchant.id, id: key.id, now: at(9) }))?.revokedAt,
      ).toEqual(at(4));
    },
  },
];
