import { randomBytes, randomInt } from 'node:crypto';
import {
  type IinRangeRecord,
  type Issuer,
  type IssuerApiKey,
  type IssuerEnrolment,
  type Mode,
  newId,
  type Store,
} from '@payrail/core';
import { expect } from 'vitest';
import type { ContractCase } from '../contract';

/** Stores an issuer with a test key; returns both. */
export async function seedIssuer(store: Store): Promise<{ issuer: Issuer; key: IssuerApiKey }> {
  const issuer: Issuer = { id: newId('issuer'), name: 'Bank', createdAt: new Date() };
  const key: IssuerApiKey = {
    id: newId('apiKey'),
    issuerId: issuer.id,
    mode: 'test',
    secretHash: randomBytes(32).toString('hex'),
    displayPrefix: 'ik_test_abcd…',
    createdAt: new Date(),
    revokedAt: null,
  };
  await store.issuers.create({ issuer, apiKeys: [key] });
  return { issuer, key };
}

/** A random digit string: cases share one store (and its ranges), so each picks its own part of the IIN space. */
const digits = (n: number) => Array.from({ length: n }, () => String(randomInt(10))).join('');

export function makeRange(
  overrides: Partial<IinRangeRecord> & { issuerId: string; first: string; last: string },
): IinRangeRecord {
  return { id: newId('iinRange'), mode: 'test', createdAt: new Date(), ...overrides };
}

export function makeEnrolment(overrides: Partial<IssuerEnrolment> & { issuerId: string }): IssuerEnrolment {
  const now = new Date();
  return {
    id: newId('enrolment'),
    mode: 'test',
    fingerprint: randomBytes(32).toString('hex'),
    panCiphertext: randomBytes(48).toString('base64url'),
    keyId: 'k1',
    brand: 'visa',
    first6: '400000',
    last4: '3220',
    expMonth: 12,
    expYear: 2030,
    codeHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA',
    createdAt: now,
    updatedAt: now,
    unenrolledAt: null,
    ...overrides,
  };
}

const mode: Mode = 'test';

export const issuerCases: ContractCase[] = [
  {
    name: 'issuers: create, get and find an active key by its hash',
    async run({ store }) {
      const { issuer, key } = await seedIssuer(store);
      expect(await store.issuers.get({ id: issuer.id })).toEqual(issuer);
      expect(await store.issuers.get({ id: newId('issuer') })).toBeNull();
      expect(await store.issuers.findActiveKeyByHash({ secretHash: key.secretHash })).toEqual(key);
      expect(await store.issuers.findActiveKeyByHash({ secretHash: 'f'.repeat(64) })).toBeNull();
    },
  },
  {
    name: "issuers: ranges are scoped to issuer and mode, and overlaps with another issuer's are refused",
    async run({ store }) {
      const { issuer } = await seedIssuer(store);
      const { issuer: other } = await seedIssuer(store);
      const base = `9${digits(7)}`;
      const mine = makeRange({ issuerId: issuer.id, first: `${base}10`, last: `${base}19` });
      expect(await store.issuers.addRange({ range: mine })).toEqual({ ok: true, range: mine });
      // The same issuer may nest a longer range inside its own.
      const nested = makeRange({ issuerId: issuer.id, first: `${base}1500`, last: `${base}1599` });
      expect((await store.issuers.addRange({ range: nested })).ok).toBe(true);

      // Another issuer: refused when it shares a PAN, whatever the prefix lengths.
      for (const [first, last] of [
        [`${base}19`, `${base}25`],
        [`${base}155`, `${base}155`],
        [base.slice(0, 6), base.slice(0, 6)],
      ] as const) {
        const result = await store.issuers.addRange({
          range: makeRange({ issuerId: other.id, first, last }),
        });
        expect(result, `${first}-${last}`).toEqual({
          ok: false,
          conflict: expect.objectContaining({ issuerId: issuer.id }),
        });
      }
      const adjacent = makeRange({ issuerId: other.id, first: `${base}20`, last: `${base}29` });
      expect((await store.issuers.addRange({ range: adjacent })).ok).toBe(true);
      // The other mode is another space.
      const live = makeRange({ issuerId: other.id, mode: 'live', first: `${base}10`, last: `${base}19` });
      expect((await store.issuers.addRange({ range: live })).ok).toBe(true);

      expect(await store.issuers.listRanges({ issuerId: issuer.id, mode })).toEqual([mine, nested]);
      expect(await store.issuers.listRanges({ issuerId: issuer.id, mode: 'live' })).toEqual([]);
      expect(await store.issuers.listRanges({ issuerId: other.id, mode: 'live' })).toEqual([live]);

      // Longest prefix first; only ranges of the mode that cover the PAN.
      const covering = await store.issuers.rangesCovering({ pan: `${base}1555123456`, mode });
      expect(covering.map((r) => r.id)).toEqual([nested.id, mine.id]);
      expect(
        (await store.issuers.rangesCovering({ pan: `${base}2012345678`, mode })).map((r) => r.id),
      ).toEqual([adjacent.id]);
      expect(await store.issuers.rangesCovering({ pan: `${base}3012345678`, mode })).toEqual([]);
      // A PAN shorter than the range's prefix is not in it.
      expect(await store.issuers.rangesCovering({ pan: base, mode })).toEqual([]);

      // Deleting is scoped: another issuer's range (or the wrong mode) is not found.
      expect(await store.issuers.deleteRange({ issuerId: other.id, mode, id: mine.id })).toBe(false);
      expect(await store.issuers.deleteRange({ issuerId: issuer.id, mode: 'live', id: mine.id })).toBe(false);
      expect(await store.issuers.deleteRange({ issuerId: issuer.id, mode, id: mine.id })).toBe(true);
      expect(await store.issuers.deleteRange({ issuerId: issuer.id, mode, id: mine.id })).toBe(false);
      expect(await store.issuers.listRanges({ issuerId: issuer.id, mode })).toEqual([nested]);
    },
  },
  {
    name: 'issuers: concurrent overlapping ranges of different issuers: exactly one is registered',
    async run({ store }) {
      const issuers = await Promise.all(Array.from({ length: 4 }, () => seedIssuer(store)));
      const base = `8${digits(9)}`;
      const results = await Promise.all(
        issuers.map(({ issuer }, i) =>
          store.issuers.addRange({
            range: makeRange({ issuerId: issuer.id, first: `${base}${i}0`, last: `${base}${i + 5}9` }),
          }),
        ),
      );
      const registered = results.filter((r) => r.ok);
      // Every pair of these ranges overlaps, so one wins and the others name a conflict.
      expect(registered).toHaveLength(1);
      const covering = await store.issuers.rangesCovering({ pan: `${base}30123456`, mode });
      expect(covering).toHaveLength(1);
    },
  },
  {
    name: 'issuers: enrolments are deduplicated per card, scoped to their issuer, and shredded when unenrolled',
    async run({ store }) {
      const { issuer } = await seedIssuer(store);
      const { issuer: other } = await seedIssuer(store);
      const enrolment = makeEnrolment({ issuerId: issuer.id });
      expect(await store.issuers.enrol({ enrolment })).toEqual({ ok: true, enrolment });
      const again = makeEnrolment({ issuerId: issuer.id, fingerprint: enrolment.fingerprint });
      expect(await store.issuers.enrol({ enrolment: again })).toEqual({ ok: false, existing: enrolment });
      // Another issuer may enrol the same card (its own enrolment), and so may the other mode.
      expect(
        (
          await store.issuers.enrol({
            enrolment: makeEnrolment({ issuerId: other.id, fingerprint: enrolment.fingerprint }),
          })
        ).ok,
      ).toBe(true);

      const scope = { issuerId: issuer.id, mode };
      expect(await store.issuers.getEnrolment({ ...scope, id: enrolment.id })).toEqual(enrolment);
      expect(await store.issuers.getEnrolment({ issuerId: other.id, mode, id: enrolment.id })).toBeNull();
      expect(await store.issuers.getEnrolment({ ...scope, mode: 'live', id: enrolment.id })).toBeNull();
      expect(await store.issuers.findEnrolment({ ...scope, fingerprint: enrolment.fingerprint })).toEqual(
        enrolment,
      );

      const later = new Date(enrolment.createdAt.getTime() + 60_000);
      expect(
        await store.issuers.resetCode({
          issuerId: other.id,
          mode,
          id: enrolment.id,
          codeHash: 'x',
          now: later,
        }),
      ).toBeNull();
      const reset = await store.issuers.resetCode({
        ...scope,
        id: enrolment.id,
        codeHash: 'new-hash',
        now: later,
      });
      expect(reset).toEqual({ ...enrolment, codeHash: 'new-hash', updatedAt: later });

      expect(await store.issuers.unenrol({ issuerId: other.id, mode, id: enrolment.id, now: later })).toBe(
        false,
      );
      expect(await store.issuers.unenrol({ ...scope, id: enrolment.id, now: later })).toBe(true);
      expect(await store.issuers.unenrol({ ...scope, id: enrolment.id, now: later })).toBe(false);
      expect(await store.issuers.getEnrolment({ ...scope, id: enrolment.id })).toBeNull();
      expect(await store.issuers.findEnrolment({ ...scope, fingerprint: enrolment.fingerprint })).toBeNull();
      expect(
        await store.issuers.resetCode({ ...scope, id: enrolment.id, codeHash: 'y', now: later }),
      ).toBeNull();

      // Once unenrolled, the card can be enrolled again (a new enrolment).
      const fresh = makeEnrolment({ issuerId: issuer.id, fingerprint: enrolment.fingerprint });
      expect(await store.issuers.enrol({ enrolment: fresh })).toEqual({ ok: true, enrolment: fresh });
      expect(await store.issuers.findEnrolment({ ...scope, fingerprint: enrolment.fingerprint })).toEqual(
        fresh,
      );
    },
  },
  {
    name: 'issuers: concurrent enrolments of one card: exactly one is written',
    async run({ store }) {
      const { issuer } = await seedIssuer(store);
      const fingerprint = randomBytes(32).toString('hex');
      const results = await Promise.all(
        Array.from({ length: 5 }, () =>
          store.issuers.enrol({ enrolment: makeEnrolment({ issuerId: issuer.id, fingerprint }) }),
        ),
      );
      expect(results.filter((r) => r.ok)).toHaveLength(1);
      const winner = results.find((r) => r.ok);
      for (const r of results) if (!r.ok) expect(r.existing.id).toBe(winner?.ok ? winner.enrolment.id : '');
    },
  },
  {
    name: 'issuers: key rotation lists live enrolments under other keys and reseals them by compare-and-set',
    async run({ store }) {
      const { issuer } = await seedIssuer(store);
      const oldKey = `old-${randomBytes(4).toString('hex')}`;
      const newKey = `new-${randomBytes(4).toString('hex')}`;
      const a = makeEnrolment({ issuerId: issuer.id, keyId: oldKey });
      const b = makeEnrolment({ issuerId: issuer.id, keyId: oldKey });
      const current = makeEnrolment({ issuerId: issuer.id, keyId: newKey });
      const gone = makeEnrolment({ issuerId: issuer.id, keyId: oldKey });
      for (const enrolment of [a, b, current, gone]) await store.issuers.enrol({ enrolment });
      await store.issuers.unenrol({ issuerId: issuer.id, mode, id: gone.id, now: new Date() });

      // Other cases' enrolments may share the store: walk every page and keep this case's.
      const mine = new Set([a.id, b.id, current.id, gone.id]);
      const listed: string[] = [];
      let after: string | undefined;
      for (;;) {
        const page = await store.issuers.listSealedWithOtherKey({
          keyId: newKey,
          limit: 2,
          ...(after ? { startingAfter: after } : {}),
        });
        if (page.length === 0) break;
        expect(page.length).toBeLessThanOrEqual(2);
        listed.push(...page.map((e) => e.id).filter((id) => mine.has(id)));
        after = page.at(-1)?.id;
      }
      expect(listed).toEqual([a.id, b.id]);

      const sealed = randomBytes(48).toString('base64url');
      expect(
        await store.issuers.reseal({ id: a.id, expectedKeyId: newKey, keyId: newKey, panCiphertext: sealed }),
      ).toBe(false);
      expect(
        await store.issuers.reseal({ id: a.id, expectedKeyId: oldKey, keyId: newKey, panCiphertext: sealed }),
      ).toBe(true);
      expect(
        await store.issuers.reseal({
          id: gone.id,
          expectedKeyId: oldKey,
          keyId: newKey,
          panCiphertext: sealed,
        }),
      ).toBe(false);
      expect(await store.issuers.getEnrolment({ issuerId: issuer.id, mode, id: a.id })).toMatchObject({
        keyId: newKey,
        panCiphertext: sealed,
      });
    },
  },
  {
    name: 'issuers: statistics counters add up under concurrent increments, per issuer and mode',
    async run({ store }) {
      const { issuer } = await seedIssuer(store);
      const { issuer: other } = await seedIssuer(store);
      const scope = { issuerId: issuer.id, mode };
      expect(await store.issuers.statistics(scope)).toEqual({ challenges: 0, successes: 0, failures: 0 });
      await Promise.all([
        ...Array.from({ length: 12 }, () =>
          store.issuers.incrementStatistic({ ...scope, statistic: 'challenges' }),
        ),
        ...Array.from({ length: 7 }, () =>
          store.issuers.incrementStatistic({ ...scope, statistic: 'successes' }),
        ),
        ...Array.from({ length: 3 }, () =>
          store.issuers.incrementStatistic({ ...scope, statistic: 'failures' }),
        ),
        store.issuers.incrementStatistic({ issuerId: issuer.id, mode: 'live', statistic: 'challenges' }),
        store.issuers.incrementStatistic({ issuerId: other.id, mode, statistic: 'failures' }),
      ]);
      expect(await store.issuers.statistics(scope)).toEqual({ challenges: 12, successes: 7, failures: 3 });
      expect(await store.issuers.statistics({ issuerId: issuer.id, mode: 'live' })).toEqual({
        challenges: 1,
        successes: 0,
        failures: 0,
      });
      expect(await store.issuers.statistics({ issuerId: other.id, mode })).toEqual({
        challenges: 0,
        successes: 0,
        failures: 1,
      });
    },
  },
];
