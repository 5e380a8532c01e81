import type { LedgerAccount, LedgerBalance, LedgerRepository } from '@payrail/core';
import type { Collections } from '../collections';
import { byId, decodeLedgerEntry, paymentKey } from '../documents';

/** Ledger entries are appended to their payment's document by `payments.commit`. */
export function ledgerRepository({ run, payments }: Collections): LedgerRepository {
  return {
    async listByPayment({ paymentId }) {
      const doc = await run(() =>
        payments.findOne({ _id: paymentKey(paymentId), id: paymentId }, { projection: { ledger: 1 } }),
      );
      return doc ? doc.ledger.map(decodeLedgerEntry).sort(byId) : [];
    },

    async balances({ merchantId, mode }) {
      const rows = await run(() =>
        payments
          .aggregate<{ _id: { account: LedgerAccount; currency: string }; amount: number }>([
            { $match: { merchantId, mode, 'ledger.0': { $exists: true } } },
            { $unwind: '$ledger' },
            { $match: { 'ledger.merchantId': merchantId, 'ledger.mode': mode } },
            {
              $group: {
                _id: { account: '$ledger.account', currency: '$ledger.currency' },
                amount: { $sum: '$ledger.amount' },
              },
            },
          ])
          .toArray(),
      );
      return rows
        .map(
          (row): LedgerBalance => ({
            account: row._id.account,
            currency: row._id.currency,
            amount: row.amount,
          }),
        )
        .sort((a, b) => `${a.account}/${a.currency}`.localeCompare(`${b.account}/${b.currency}`));
    },
  };
}
