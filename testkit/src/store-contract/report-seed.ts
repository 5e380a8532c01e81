import {
  capturePosting,
  computeFee,
  DEFAULT_TARIFF,
  type Mode,
  newId,
  type Payment,
  type PaymentStatus,
  refundPosting,
  type Store,
  type Tariff,
} from '@payrail/core';
import { makePayment, nextVersion } from './fixtures';

/**
 * A payment with a known history, written through the Store port exactly as core writes it (insert, then
 * one commit per step with its ledger posting), at chosen instants: what report tests and the report
 * bench seed, so that they can compute the expected figures themselves.
 */
export interface ReportPaymentSpec {
  merchantId: string;
  mode?: Mode;
  currency: string;
  amount: number;
  method?: string;
  createdAt: Date;
  outcome: 'pending' | 'failed' | 'canceled' | 'authorized' | 'captured';
  /** When the capture is booked (default: createdAt). */
  capturedAt?: Date;
  /** Refunds of a captured payment, each booked at `at`. */
  refunds?: Array<{ amount: number; at: Date }>;
  tariff?: Tariff;
}

export interface SeededReportPayment {
  payment: Payment;
  /** The fee taken at capture (0 when not captured). */
  fee: number;
  finalStatus: PaymentStatus;
}

export async function seedReportPayment(store: Store, spec: ReportPaymentSpec): Promise<SeededReportPayment> {
  let payment = makePayment({
    merchantId: spec.merchantId,
    mode: spec.mode ?? 'test',
    amount: spec.amount,
    currency: spec.currency,
    method: spec.method ?? 'card',
    createdAt: spec.createdAt,
  });
  await store.payments.insert({ payment, events: [] });
  const commit = async (
    next: Payment,
    extra: Omit<Parameters<Store['payments']['commit']>[0], 'payment' | 'expectedVersion'> = {},
  ) => {
    const result = await store.payments.commit({ payment: next, expectedVersion: payment.version, ...extra });
    if (!result.ok) throw new Error(`seedReportPayment: commit refused (${result.reason})`);
    payment = result.payment;
  };
  let fee = 0;
  switch (spec.outcome) {
    case 'pending':
      break;
    case 'failed':
      await commit(
        nextVersion(payment, {
          status: 'failed',
          decline: { code: 'card_declined', providerCode: '05', message: 'Declined.' },
        }),
      );
      break;
    case 'canceled':
      await commit(nextVersion(payment, { status: 'canceled' }));
      break;
    case 'authorized':
      await commit(nextVersion(payment, { status: 'authorized', amountCapturable: spec.amount }));
      break;
    case 'captured': {
      const capturedAt = spec.capturedAt ?? spec.createdAt;
      fee = computeFee(spec.amount, spec.currency, spec.tariff ?? DEFAULT_TARIFF);
      const ctx = {
        merchantId: payment.merchantId,
        mode: payment.mode,
        paymentId: payment.id,
        currency: payment.currency,
        now: capturedAt,
      };
      await commit(nextVersion(payment, { status: 'succeeded', amountCaptured: spec.amount }), {
        postings: [capturePosting(ctx, spec.amount, fee)],
      });
      let refunded = 0;
      for (const r of spec.refunds ?? []) {
        refunded += r.amount;
        const refundId = newId('refund', r.at.getTime());
        const refund = {
          id: refundId,
          paymentId: payment.id,
          merchantId: payment.merchantId,
          mode: payment.mode,
          amount: r.amount,
          currency: payment.currency,
          status: 'succeeded' as const,
          reason: null,
          providerRef: null,
          failure: null,
          createdAt: r.at,
          updatedAt: r.at,
        };
        await commit(
          nextVersion(payment, {
            status: refunded === spec.amount ? 'refunded' : 'partially_refunded',
            amountRefunded: refunded,
          }),
          { refunds: [refund], postings: [refundPosting({ ...ctx, refundId, now: r.at }, r.amount)] },
        );
      }
      break;
    }
  }
  return { payment, fee, finalStatus: payment.status };
}
