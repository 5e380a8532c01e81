import {
  type PaymentAggregateRow,
  PayrailError,
  pivotLedgerLines,
  REPORT_MAX_BOUNDARIES,
  type ReportRepository,
  type ReportScope,
} from '@payrail/core';
import type { Document } from 'mongodb';
import type { Collections } from '../collections';

/**
 * Report aggregates as aggregation pipelines over one merchant, mode and time range (index
 * `payments_list`'s prefix). The bucket of a row is the number of boundaries at or before its time,
 * minus one — computed by the server, like PostgreSQL's `width_bucket`.
 */
export function reportRepository({ run, payments }: Collections): ReportRepository {
  return {
    async paymentAggregates(scope) {
      const { boundaries, match } = scoped(scope);
      Object.assign(match, paymentFilter(scope));
      const rows = await run(() =>
        payments
          .aggregate<{ _id: Omit<PaymentAggregateRow, 'count' | 'amount'>; count: number; amount: number }>([
            { $match: { ...match, createdAt: { $gte: boundaries[0], $lt: boundaries.at(-1) } } },
            {
              $group: {
                _id: {
                  bucket: bucketOf('$createdAt', boundaries),
                  currency: '$currency',
                  status: '$status',
                  method: '$method',
                  // Missing on payments stored before shops: grouped with the null ones.
                  shopId: { $ifNull: ['$shopId', null] },
                },
                count: { $sum: 1 },
                amount: { $sum: '$amount' },
              },
            },
          ])
          .toArray(),
      );
      return rows.map((row) => ({ ...row._id, count: row.count, amount: row.amount }));
    },

    async ledgerAggregates(scope) {
      const { boundaries, match } = scoped(scope);
      // Method and status live on the payment, the currency on both: filter the payment documents.
      Object.assign(match, paymentFilter(scope));
      const lines = await run(() =>
        payments
          .aggregate<{ _id: Omit<LineRow, 'amount' | 'count'>; amount: number; count: number }>([
            { $match: { ...match, 'ledger.0': { $exists: true } } },
            { $unwind: '$ledger' },
            { $replaceRoot: { newRoot: '$ledger' } },
            {
              $match: {
                merchantId: scope.merchantId,
                mode: scope.mode,
                createdAt: { $gte: boundaries[0], $lt: boundaries.at(-1) },
                $or: [
                  { kind: 'capture', account: { $in: ['provider_clearing', 'psp_fees'] } },
                  { kind: 'refund', account: 'merchant_balance' },
                ],
              },
            },
            {
              $group: {
                _id: {
                  bucket: bucketOf('$createdAt', boundaries),
                  currency: '$currency',
                  kind: '$kind',
                  account: '$account',
                },
                amount: { $sum: '$amount' },
                count: { $sum: 1 },
              },
            },
          ])
          .toArray(),
      );
      return pivotLedgerLines(
        lines.map(({ _id, amount, count }) => ({
          bucket: _id.bucket,
          currency: _id.currency,
          postingKind: _id.kind,
          account: _id.account,
          amount,
          count,
        })),
      );
    },
  };
}

interface LineRow {
  bucket: number;
  currency: string;
  kind: string;
  account: string;
  amount: number;
  count: number;
}

/** `boundaries[i] <= t < boundaries[i + 1]` → i, as an aggregation expression. */
function bucketOf(field: string, boundaries: readonly Date[]): Document {
  return {
    $subtract: [
      { $size: { $filter: { input: [...boundaries], as: 'b', cond: { $lte: ['$$b', field] } } } },
      1,
    ],
  };
}

function scoped(scope: ReportScope): { boundaries: readonly Date[]; match: Document } {
  const { boundaries } = scope;
  if (boundaries.length < 2 || boundaries.length > REPORT_MAX_BOUNDARIES) {
    throw invalid(`A report takes 2 to ${REPORT_MAX_BOUNDARIES} boundaries, got ${boundaries.length}`);
  }
  for (let i = 1; i < boundaries.length; i++) {
    if (!((boundaries[i] as Date).getTime() > (boundaries[i - 1] as Date).getTime()))
      throw invalid('Report boundaries must be strictly increasing');
  }
  return { boundaries, match: { merchantId: scope.merchantId, mode: scope.mode } };
}

function paymentFilter(scope: ReportScope): Document {
  const filter: Document = {};
  if (scope.filter?.method !== undefined) filter.method = scope.filter.method;
  if (scope.filter?.currency !== undefined) filter.currency = scope.filter.currency;
  if (scope.filter?.status !== undefined) filter.status = scope.filter.status;
  if (scope.filter?.shopId !== undefined) filter.shopId = scope.filter.shopId;
  return filter;
}

const invalid = (message: string) => new PayrailError('PAYRAIL_ERR_INTERNAL', { message });
