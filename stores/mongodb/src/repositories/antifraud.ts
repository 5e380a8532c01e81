import type {
  AntifraudAuditRecord,
  AntifraudConfigRepository,
  AntifraudListEntry,
  AntifraudRuleSet,
  FraudMark,
} from '@payrail/core';
import type { Collection, Document, Filter } from 'mongodb';
import type { Collections } from '../collections';
import type { AuditDoc, FraudMarkDoc, ListEntryDoc } from '../documents';
import { byId } from '../documents';
import { isDuplicateKey } from '../errors';
import { keyId } from '../keys';
import { clampLimit } from './pagination';

const entryKey = (e: Pick<AntifraudListEntry, 'merchantId' | 'mode' | 'list' | 'kind' | 'value'>) =>
  keyId('antifraudEntry', e.merchantId, e.mode, e.list, e.kind, e.value);
const ruleSetKey = (merchantId: string, mode: string) => keyId('antifraudRules', merchantId, mode);

/** Audit records keep `before`/`after` as JSON text (free-form values). */
const encodeAudit = (
  a: AntifraudAuditRecord,
  before: unknown,
  after: unknown,
  objectId = a.objectId,
): AuditDoc => ({
  ...a,
  objectId,
  before: JSON.stringify(before ?? null),
  after: JSON.stringify(after ?? null),
});
const decodeAudit = ({ _id, before, after, ...a }: AuditDoc & { _id?: unknown }): AntifraudAuditRecord => ({
  ...a,
  before: JSON.parse(before),
  after: JSON.parse(after),
});
const toEntry = ({ _id, deleted, audit, ...entry }: ListEntryDoc): AntifraudListEntry => entry;
// Marks stored before fraud-report sources (issue 8) were the merchant's own.
const toMark = ({ _id, audit, ...mark }: FraudMarkDoc): FraudMark => ({
  ...mark,
  source: mark.source ?? 'merchant',
});
const WITHOUT_AUDIT = { audit: 0 } as const;

/**
 * Antifraud configuration. "Every write stores its audit record in the same atomic write": the record
 * is pushed into the `audit` array of the one document the write changes (the list entry, the rule set,
 * the fraud mark), in the same update. A deleted list entry stays as a tombstone (`deleted: true`)
 * holding its audit; adding the same value again revives it under the new entry's id. Changes are
 * compare-and-set on the state read just before (that state is the audit's `before`).
 */
export function antifraudRepository({
  run,
  antifraudEntries,
  antifraudRuleSets,
  antifraudMarks,
  antifraudAudit,
  antifraudFeedback,
}: Collections): AntifraudConfigRepository {
  return {
    async upsertListEntry({ entry, audit }) {
      const _id = entryKey(entry);
      for (let attempt = 0; attempt < 5; attempt++) {
        const prior = await run(() => antifraudEntries.findOne({ _id }));
        if (!prior) {
          const inserted = await run(async () => {
            try {
              await antifraudEntries.insertOne({
                _id,
                ...entry,
                deleted: false,
                audit: [encodeAudit(audit, null, entry, entry.id)],
              });
              return true;
            } catch (error) {
              if (isDuplicateKey(error)) return false;
              throw error;
            }
          });
          if (inserted) return entry;
          continue;
        }
        if (prior.deleted) {
          const revived = await run(() =>
            antifraudEntries.updateOne(
              { _id, id: prior.id, deleted: true },
              {
                $set: { ...entry, deleted: false },
                $push: { audit: encodeAudit(audit, null, entry, entry.id) },
              },
            ),
          );
          if (revived.modifiedCount > 0) return entry;
          continue;
        }
        const before = toEntry(prior);
        const after = { ...before, expiresAt: entry.expiresAt, note: entry.note };
        const updated = await run(() =>
          antifraudEntries.updateOne(
            { _id, id: prior.id, deleted: false, expiresAt: prior.expiresAt, note: prior.note },
            {
              $set: { expiresAt: entry.expiresAt, note: entry.note },
              $push: { audit: encodeAudit(audit, before, after, before.id) },
            },
          ),
        );
        if (updated.modifiedCount > 0 || updated.matchedCount > 0) return after;
      }
      throw new Error('antifraud list entry kept changing under the upsert; retry');
    },

    async deleteListEntry({ merchantId, mode, id, audit }) {
      const doc = await run(() => antifraudEntries.findOne({ id, merchantId, mode, deleted: false }));
      if (!doc) return null;
      const entry = toEntry(doc);
      const deleted = await run(() =>
        antifraudEntries.updateOne(
          { _id: doc._id, id, deleted: false },
          { $set: { deleted: true }, $push: { audit: encodeAudit(audit, entry, audit.after) } },
        ),
      );
      return deleted.modifiedCount > 0 ? entry : null;
    },

    async listListEntries({ merchantId, mode, limit: requested, startingAfter, list, kind }) {
      const limit = clampLimit(requested);
      const filter: Filter<ListEntryDoc> = { merchantId, mode, deleted: false };
      if (startingAfter !== undefined) filter.id = { $lt: startingAfter };
      if (list !== undefined) filter.list = list;
      if (kind !== undefined) filter.kind = kind;
      const docs = await run(() =>
        antifraudEntries
          .find(filter, { projection: WITHOUT_AUDIT })
          .sort({ id: -1 })
          .limit(limit + 1)
          .toArray(),
      );
      return { data: docs.slice(0, limit).map(toEntry), hasMore: docs.length > limit };
    },

    async liveListEntries({ merchantId, mode, now }) {
      const docs = await run(() =>
        antifraudEntries
          .find(
            { merchantId, mode, deleted: false, $or: [{ expiresAt: null }, { expiresAt: { $gt: now } }] },
            { projection: WITHOUT_AUDIT },
          )
          .sort({ id: 1 })
          .toArray(),
      );
      return docs.map(toEntry);
    },

    async getRuleSet({ merchantId, mode }) {
      const doc = await run(() =>
        antifraudRuleSets.findOne({ _id: ruleSetKey(merchantId, mode), merchantId, mode }),
      );
      if (!doc) return null;
      const { _id, audit, rules, ...ruleSet } = doc;
      return { ...ruleSet, rules: JSON.parse(rules) as AntifraudRuleSet['rules'] };
    },

    async putRuleSet({ ruleSet, expectedVersion, audit }) {
      if (ruleSet.version !== expectedVersion + 1) {
        throw new Error(`rule set version must be expectedVersion + 1 (${expectedVersion + 1})`);
      }
      const _id = ruleSetKey(ruleSet.merchantId, ruleSet.mode);
      const fields = { ...ruleSet, rules: JSON.stringify(ruleSet.rules) };
      if (expectedVersion === 0) {
        return run(async () => {
          try {
            await antifraudRuleSets.insertOne({
              _id,
              ...fields,
              audit: [encodeAudit(audit, null, ruleSet.rules)],
            });
            return { ok: true as const };
          } catch (error) {
            if (isDuplicateKey(error)) return { ok: false as const, reason: 'version_conflict' as const };
            throw error;
          }
        });
      }
      const current = await run(() => antifraudRuleSets.findOne({ _id, version: expectedVersion }));
      if (!current) return { ok: false, reason: 'version_conflict' };
      const updated = await run(() =>
        antifraudRuleSets.updateOne(
          { _id, version: expectedVersion },
          {
            $set: fields,
            $push: { audit: encodeAudit(audit, JSON.parse(current.rules), ruleSet.rules) },
          },
        ),
      );
      return updated.modifiedCount > 0 ? { ok: true } : { ok: false, reason: 'version_conflict' };
    },

    async appendAudit({ audit }) {
      await run(() =>
        antifraudAudit.insertOne({
          _id: keyId('antifraudAudit', audit.id),
          ...encodeAudit(audit, audit.before, audit.after),
        }),
      );
    },

    async listAudit({ merchantId, mode, limit: requested, startingAfter }) {
      const limit = clampLimit(requested);
      const match: Document = { merchantId, mode };
      if (startingAfter !== undefined) match.id = { $lt: startingAfter };
      const embedded = (collection: Collection<Document>) =>
        run(() =>
          collection
            .aggregate<AuditDoc>([
              { $match: { merchantId, mode, 'audit.0': { $exists: true } } },
              { $unwind: '$audit' },
              { $replaceRoot: { newRoot: '$audit' } },
              { $match: match },
              { $sort: { id: -1 } },
              { $limit: limit + 1 },
            ])
            .toArray(),
        );
      const sources = await Promise.all([
        embedded(antifraudEntries as unknown as Collection<Document>),
        embedded(antifraudRuleSets as unknown as Collection<Document>),
        embedded(antifraudMarks as unknown as Collection<Document>),
        embedded(antifraudFeedback as unknown as Collection<Document>),
        run(() =>
          antifraudAudit
            .find(match)
            .sort({ id: -1 })
            .limit(limit + 1)
            .toArray(),
        ),
      ]);
      const records = sources
        .flat()
        .sort(byId)
        .reverse()
        .slice(0, limit + 1);
      return { data: records.slice(0, limit).map(decodeAudit), hasMore: records.length > limit };
    },

    async markFraud({ mark, audit }) {
      const _id = keyId('fraudMark', mark.paymentId);
      const created = await run(async () => {
        try {
          await antifraudMarks.insertOne({ _id, ...mark, audit: [encodeAudit(audit, audit.before, mark)] });
          return true;
        } catch (error) {
          if (isDuplicateKey(error)) return false;
          throw error;
        }
      });
      if (created) return { created: true, mark };
      const first = await run(() => antifraudMarks.findOne({ _id, paymentId: mark.paymentId }));
      if (!first) throw new Error(`fraud mark of ${mark.paymentId} vanished`);
      return { created: false, mark: toMark(first) };
    },

    async getFeedbackSettings({ merchantId, mode }) {
      const doc = await run(() =>
        antifraudFeedback.findOne(
          { _id: keyId('antifraudFeedback', merchantId, mode), merchantId, mode },
          { projection: WITHOUT_AUDIT },
        ),
      );
      if (!doc) return null;
      const { _id, audit: _audit, ...settings } = doc;
      return settings;
    },

    async putFeedbackSettings({ settings, audit }) {
      const _id = keyId('antifraudFeedback', settings.merchantId, settings.mode);
      // Read, then a compare-and-set on what was read (its audit's `before`); a concurrent change retries.
      for (let attempt = 0; attempt < 5; attempt++) {
        const prior = await run(() => antifraudFeedback.findOne({ _id }, { projection: WITHOUT_AUDIT }));
        const before = prior ? (({ _id: _, audit: __, ...s }) => s)(prior) : null;
        const record = encodeAudit(audit, before, settings);
        if (!prior) {
          const inserted = await run(async () => {
            try {
              await antifraudFeedback.insertOne({ _id, ...settings, audit: [record] });
              return true;
            } catch (error) {
              if (isDuplicateKey(error)) return false;
              throw error;
            }
          });
          if (inserted) return;
          continue;
        }
        const updated = await run(() =>
          antifraudFeedback.updateOne(
            { _id, updatedAt: prior.updatedAt, updatedBy: prior.updatedBy },
            { $set: settings, $push: { audit: record } },
          ),
        );
        if (updated.matchedCount > 0) return;
      }
      throw new Error(`feedback settings of ${settings.merchantId} changed concurrently; retry`);
    },

    async listFraudMarks({ merchantId, mode, paymentIds }) {
      if (paymentIds.length === 0) return [];
      const docs = await run(() =>
        antifraudMarks
          .find({ merchantId, mode, paymentId: { $in: [...paymentIds] } }, { projection: WITHOUT_AUDIT })
          .toArray(),
      );
      return docs.map(toMark);
    },
  };
}
