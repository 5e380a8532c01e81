import { randomBytes } from 'node:crypto';
import {
  type AntifraudAuditRecord,
  type AntifraudListEntry,
  type Mode,
  newId,
  type Payment,
} from '@payrail/core';
import { expect } from 'vitest';
import type { ContractCase } from '../contract';
import { nextVersion } from '../fixtures';
import { seedMerchant, seedPayment } from './seed';

const key = () => `k_${randomBytes(12).toString('hex')}`;
const at = (iso: string) => new Date(iso);

const audit = (merchantId: string, mode: Mode, action: string, objectId = ''): AntifraudAuditRecord => ({
  id: newId('audit'),
  merchantId,
  mode,
  actor: 'api_key:key_test',
  action,
  objectId,
  before: null,
  after: null,
  createdAt: new Date(),
});

const entry = (merchantId: string, overrides: Partial<AntifraudListEntry> = {}): AntifraudListEntry => ({
  id: newId('antifraudListEntry'),
  merchantId,
  mode: 'test',
  list: 'block',
  kind: 'email',
  value: `x${randomBytes(4).toString('hex')}@fraud.example`,
  expiresAt: null,
  note: null,
  createdAt: new Date(),
  createdBy: 'api_key:key_test',
  ...overrides,
});

/** A payment held for review: authorized, manual capture, risk decision review. */
async function heldPayment(
  store: Parameters<ContractCase['run']>[0]['store'],
  merchantId: string,
  heldAt: Date,
) {
  const created = await seedPayment(store, { merchantId });
  const held: Payment = {
    ...nextVersion(created, {
      status: 'authorized',
      captureMethod: 'manual',
      amountCapturable: created.amount,
      risk: { decision: 'review', score: 60, reasons: ['rule:x: review'] },
    }),
    updatedAt: heldAt,
  };
  const result = await store.payments.commit({ payment: held, expectedVersion: created.version });
  expect(result.ok).toBe(true);
  return held;
}

export const antifraudCases: ContractCase[] = [
  {
    name: 'riskCounters: increment adds per key and bucket; count sums buckets since a time, one number per query',
    async run({ store }) {
      const [a, b, unknown] = [key(), key(), key()];
      const expiresAt = at('2100-01-01T00:00:00Z');
      await store.riskCounters.increment({ keys: [a, b], bucket: at('2026-03-01T10:00:00Z'), expiresAt });
      await store.riskCounters.increment({ keys: [a, a], bucket: at('2026-03-01T10:00:10Z'), expiresAt });
      await store.riskCounters.increment({ keys: [a], bucket: at('2026-03-01T10:00:20Z'), expiresAt });
      const counts = await store.riskCounters.count({
        queries: [
          { key: a, since: at('2026-03-01T10:00:00Z') },
          { key: a, since: at('2026-03-01T10:00:10Z') },
          { key: a, since: at('2026-03-01T10:00:21Z') },
          { key: b, since: at('2026-03-01T09:00:00Z') },
          { key: unknown, since: at('2000-01-01T00:00:00Z') },
        ],
      });
      expect(counts).toEqual([4, 3, 0, 1, 0]);
      expect(await store.riskCounters.count({ queries: [] })).toEqual([]);
      await store.riskCounters.increment({ keys: [], bucket: new Date(), expiresAt });
    },
  },
  {
    name: 'riskCounters: concurrent increments of one counter are all counted',
    async run({ store }) {
      const k = key();
      const bucket = at('2026-03-01T10:00:00Z');
      await Promise.all(
        Array.from({ length: 20 }, () =>
          store.riskCounters.increment({ keys: [k], bucket, expiresAt: at('2100-01-01T00:00:00Z') }),
        ),
      );
      expect(await store.riskCounters.count({ queries: [{ key: k, since: bucket }] })).toEqual([20]);
    },
  },
  {
    name: 'riskCounters: purgeExpired deletes counters past their expiry only',
    async run({ store }) {
      const [old, live] = [key(), key()];
      const bucket = at('2026-03-01T10:00:00Z');
      await store.riskCounters.increment({ keys: [old], bucket, expiresAt: at('2001-01-01T00:00:00Z') });
      await store.riskCounters.increment({ keys: [live], bucket, expiresAt: at('2100-01-01T00:00:00Z') });
      let purged = 0;
      for (let n = -1; n !== 0; purged += n)
        n = await store.riskCounters.purgeExpired({ before: at('2002-01-01T00:00:00Z'), limit: 1000 });
      expect(purged).toBeGreaterThanOrEqual(1);
      const since = at('2000-01-01T00:00:00Z');
      expect(
        await store.riskCounters.count({
          queries: [
            { key: old, since },
            { key: live, since },
          ],
        }),
      ).toEqual([0, 1]);
    },
  },
  {
    name: 'reviews: listOpen holds authorized payments under review of this merchant and mode only; listHeldBefore is oldest first',
    async run({ store }) {
      const merchant = await seedMerchant(store);
      const other = await seedMerchant(store);
      const first = await heldPayment(store, merchant.id, at('2000-01-01T00:00:00Z'));
      const second = await heldPayment(store, merchant.id, at('2000-01-02T00:00:00Z'));
      await heldPayment(store, other.id, at('2000-01-01T00:00:00Z'));
      // Not under review: an allowed authorization, and a review already rejected (voided).
      const allowed = await seedPayment(store, { merchantId: merchant.id });
      await store.payments.commit({
        payment: nextVersion(allowed, {
          status: 'authorized',
          amountCapturable: allowed.amount,
          risk: { decision: 'allow', score: 0, reasons: [] },
        }),
        expectedVersion: 1,
      });
      const rejected = await heldPayment(store, merchant.id, at('2000-01-01T00:00:00Z'));
      await store.payments.commit({
        payment: nextVersion(rejected, { status: 'canceled', amountCapturable: 0 }),
        expectedVersion: rejected.version,
      });

      const page = await store.reviews.listOpen({ merchantId: merchant.id, mode: 'test', limit: 1 });
      expect(page.data.map((p) => p.id)).toEqual([second.id]);
      expect(page.hasMore).toBe(true);
      const next = await store.reviews.listOpen({
        merchantId: merchant.id,
        mode: 'test',
        limit: 10,
        startingAfter: second.id,
      });
      expect(next).toEqual({ data: [expect.objectContaining({ id: first.id })], hasMore: false });
      expect(
        (await store.reviews.listOpen({ merchantId: merchant.id, mode: 'live', limit: 10 })).data,
      ).toEqual([]);

      const held = await store.reviews.listHeldBefore({
        heldBefore: at('2000-01-03T00:00:00Z'),
        limit: 1000,
      });
      const mine = held.filter((p) => p.merchantId === merchant.id).map((p) => p.id);
      expect(mine).toEqual([first.id, second.id]);
      const older = await store.reviews.listHeldBefore({
        heldBefore: at('2000-01-01T12:00:00Z'),
        limit: 1000,
      });
      expect(older.map((p) => p.id)).toContain(first.id);
      expect(older.map((p) => p.id)).not.toContain(second.id);
    },
  },
  {
    name: 'antifraud: list entries upsert by value (keeping the id), list newest first with filters, delete only within the merchant, with audit',
    async run({ store }) {
      const merchant = await seedMerchant(store);
      const other = await seedMerchant(store);
      const m = { merchantId: merchant.id, mode: 'test' as const };
      const a = entry(merchant.id);
      const stored = await store.antifraud.upsertListEntry({
        entry: a,
        audit: audit(merchant.id, 'test', 'list_entry.upserted'),
      });
      expect(stored).toEqual(a);
      const again = await store.antifraud.upsertListEntry({
        entry: {
          ...entry(merchant.id),
          value: a.value,
          expiresAt: at('2100-01-01T00:00:00Z'),
          note: 'again',
        },
        audit: audit(merchant.id, 'test', 'list_entry.upserted'),
      });
      expect(again).toEqual({ ...a, expiresAt: at('2100-01-01T00:00:00Z'), note: 'again' });
      const ip = entry(merchant.id, { kind: 'ip', value: '198.51.100.0/24', list: 'allow' });
      await store.antifraud.upsertListEntry({
        entry: ip,
        audit: audit(merchant.id, 'test', 'list_entry.upserted'),
      });
      const expired = entry(merchant.id, { expiresAt: at('2001-01-01T00:00:00Z') });
      await store.antifraud.upsertListEntry({
        entry: expired,
        audit: audit(merchant.id, 'test', 'list_entry.upserted'),
      });

      const all = await store.antifraud.listListEntries({ ...m, limit: 10 });
      expect(all.data.map((e) => e.id)).toEqual([expired.id, ip.id, a.id]);
      expect(
        (await store.antifraud.listListEntries({ ...m, limit: 10, list: 'allow' })).data.map((e) => e.id),
      ).toEqual([ip.id]);
      expect(
        (await store.antifraud.listListEntries({ ...m, limit: 10, kind: 'email' })).data.map((e) => e.id),
      ).toEqual([expired.id, a.id]);
      expect(
        (await store.antifraud.listListEntries({ ...m, limit: 1, startingAfter: ip.id })).data.map(
          (e) => e.id,
        ),
      ).toEqual([a.id]);
      const live = await store.antifraud.liveListEntries({ ...m, now: at('2026-01-01T00:00:00Z') });
      expect(live.map((e) => e.id).sort()).toEqual([a.id, ip.id].sort());

      expect(
        await store.antifraud.deleteListEntry({
          merchantId: other.id,
          mode: 'test',
          id: a.id,
          audit: audit(other.id, 'test', 'list_entry.deleted', a.id),
        }),
      ).toBeNull();
      expect(
        await store.antifraud.deleteListEntry({
          ...m,
          id: a.id,
          audit: audit(merchant.id, 'test', 'list_entry.deleted', a.id),
        }),
      ).toEqual(again);
      expect(
        await store.antifraud.deleteListEntry({
          ...m,
          id: a.id,
          audit: audit(merchant.id, 'test', 'list_entry.deleted', a.id),
        }),
      ).toBeNull();

      const trail = await store.antifraud.listAudit({ ...m, limit: 100 });
      expect(trail.data.map((r) => r.action)).toEqual([
        'list_entry.deleted',
        'list_entry.upserted',
        'list_entry.upserted',
        'list_entry.upserted',
        'list_entry.upserted',
      ]);
      expect(trail.data[0]).toMatchObject({
        objectId: a.id,
        before: expect.objectContaining({ value: a.value }),
      });
      expect(trail.data[3]).toMatchObject({
        before: expect.objectContaining({ note: null }),
        after: expect.objectContaining({ note: 'again' }),
      });
      expect(trail.data[4]).toMatchObject({
        before: null,
        objectId: a.id,
        after: expect.objectContaining({ value: a.value }),
      });
      expect(
        (await store.antifraud.listAudit({ merchantId: other.id, mode: 'test', limit: 100 })).data,
      ).toEqual([]);
    },
  },
  {
    name: 'antifraud: rule sets are versioned; a stale expectedVersion changes nothing; audit keeps before and after',
    async run({ store }) {
      const merchant = await seedMerchant(store);
      const m = { merchantId: merchant.id, mode: 'live' as const };
      expect(await store.antifraud.getRuleSet(m)).toBeNull();
      const v1 = {
        ...m,
        rules: [{ id: 'a' }],
        version: 1,
        updatedAt: at('2026-03-01T00:00:00Z'),
        updatedBy: 'api_key:k1',
      };
      expect(
        await store.antifraud.putRuleSet({
          ruleSet: v1,
          expectedVersion: 0,
          audit: audit(merchant.id, 'live', 'rules.replaced', 'rules'),
        }),
      ).toEqual({ ok: true });
      expect(
        await store.antifraud.putRuleSet({
          ruleSet: v1,
          expectedVersion: 0,
          audit: audit(merchant.id, 'live', 'rules.replaced', 'rules'),
        }),
      ).toEqual({ ok: false, reason: 'version_conflict' });
      const v2 = { ...v1, rules: [{ id: 'b' }], version: 2, updatedBy: 'api_key:k2' };
      expect(
        await store.antifraud.putRuleSet({
          ruleSet: v2,
          expectedVersion: 1,
          audit: audit(merchant.id, 'live', 'rules.replaced', 'rules'),
        }),
      ).toEqual({ ok: true });
      expect(
        await store.antifraud.putRuleSet({
          ruleSet: { ...v2, rules: [], version: 2 },
          expectedVersion: 1,
          audit: audit(merchant.id, 'live', 'rules.replaced', 'rules'),
        }),
      ).toEqual({ ok: false, reason: 'version_conflict' });
      expect(await store.antifraud.getRuleSet(m)).toEqual(v2);
      expect(await store.antifraud.getRuleSet({ ...m, mode: 'test' })).toBeNull();
      const trail = await store.antifraud.listAudit({ ...m, limit: 10 });
      expect(trail.data.map((r) => [r.before, r.after])).toEqual([
        [[{ id: 'a' }], [{ id: 'b' }]],
        [null, [{ id: 'a' }]],
      ]);
    },
  },
  {
    name: 'antifraud: markFraud records once per payment; listFraudMarks is scoped to the merchant and mode',
    async run({ store }) {
      const merchant = await seedMerchant(store);
      const other = await seedMerchant(store);
      const payment = await seedPayment(store, { merchantId: merchant.id });
      const clean = await seedPayment(store, { merchantId: merchant.id });
      const mark = {
        paymentId: payment.id,
        merchantId: merchant.id,
        mode: 'test' as const,
        // Not the column default: the source must round-trip.
        source: 'chargeback' as const,
        actor: 'api_key:k',
        note: 'chargeback',
        createdAt: at('2026-03-01T00:00:00Z'),
      };
      expect(
        await store.antifraud.markFraud({
          mark,
          audit: audit(merchant.id, 'test', 'payment.marked_fraud', payment.id),
        }),
      ).toEqual({ created: true, mark });
      expect(
        await store.antifraud.markFraud({
          mark: { ...mark, source: 'merchant', note: 'again', createdAt: new Date() },
          audit: audit(merchant.id, 'test', 'payment.marked_fraud', payment.id),
        }),
      ).toEqual({ created: false, mark });
      expect(
        await store.antifraud.listFraudMarks({
          merchantId: merchant.id,
          mode: 'test',
          paymentIds: [payment.id, clean.id],
        }),
      ).toEqual([mark]);
      expect(
        await store.antifraud.listFraudMarks({
          merchantId: other.id,
          mode: 'test',
          paymentIds: [payment.id],
        }),
      ).toEqual([]);
      expect(
        await store.antifraud.listFraudMarks({ merchantId: merchant.id, mode: 'test', paymentIds: [] }),
      ).toEqual([]);
      const trail = await store.antifraud.listAudit({ merchantId: merchant.id, mode: 'test', limit: 10 });
      expect(trail.data).toHaveLength(1);
    },
  },
  {
    name: 'antifraud: feedback settings are stored per merchant and mode, replaced whole, and audited',
    async run({ store }) {
      const merchant = await seedMerchant(store);
      const scope = { merchantId: merchant.id, mode: 'live' as const };
      expect(await store.antifraud.getFeedbackSettings(scope)).toBeNull();
      const first = {
        ...scope,
        autoBlockCard: true,
        autoBlockEmail: false,
        ttlSeconds: 86_400,
        updatedAt: at('2026-03-01T00:00:00Z'),
        updatedBy: 'api_key:k1',
      };
      await store.antifraud.putFeedbackSettings({
        settings: first,
        audit: audit(merchant.id, 'live', 'feedback.replaced', 'feedback'),
      });
      expect(await store.antifraud.getFeedbackSettings(scope)).toEqual(first);
      expect(await store.antifraud.getFeedbackSettings({ ...scope, mode: 'test' })).toBeNull();
      const second = {
        ...first,
        autoBlockCard: false,
        autoBlockEmail: true,
        ttlSeconds: null,
        updatedAt: at('2026-03-02T00:00:00Z'),
        updatedBy: 'api_key:k2',
      };
      await store.antifraud.putFeedbackSettings({
        settings: second,
        audit: audit(merchant.id, 'live', 'feedback.replaced', 'feedback'),
      });
      expect(await store.antifraud.getFeedbackSettings(scope)).toEqual(second);
      const trail = await store.antifraud.listAudit({ ...scope, limit: 10 });
      expect(trail.data).toHaveLength(2);
      expect(trail.data.map((a) => a.action)).toEqual(['feedback.replaced', 'feedback.replaced']);
      // Newest first: the second change's `before` is the first settings.
      expect(trail.data[0]?.before).toMatchObject({ autoBlockCard: true, ttlSeconds: 86_400 });
      expect(trail.data[0]?.after).toMatchObject({ autoBlockEmail: true, ttlSeconds: null });
    },
  },
];
