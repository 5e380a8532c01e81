import type { AuditEntry, AuditLogRepository } from '@payrail/core';
import type { Filter } from 'mongodb';
import type { Collections } from '../collections';
import type { AuditEntryDoc } from '../documents';
import { keyId } from '../keys';
import { clampLimit } from './pagination';

const decode = ({ _id, data, ...entry }: AuditEntryDoc): AuditEntry => ({
  ...entry,
  data: JSON.parse(data) as AuditEntry['data'],
});

export function auditLogRepository({ run, auditLog }: Collections): AuditLogRepository {
  return {
    async insert({ entry }) {
      await run(() =>
        auditLog.insertOne({ _id: keyId('audit', entry.id), ...entry, data: JSON.stringify(entry.data) }),
      );
    },

    async list({ merchantId, limit: requested, startingAfter }) {
      const limit = clampLimit(requested);
      const filter: Filter<AuditEntryDoc> = { merchantId };
      if (startingAfter !== undefined) filter.id = { $lt: startingAfter };
      const docs = await run(() =>
        auditLog
          .find(filter)
          .sort({ id: -1 })
          .limit(limit + 1)
          .toArray(),
      );
      return { data: docs.slice(0, limit).map(decode), hasMore: docs.length > limit };
    },
  };
}
