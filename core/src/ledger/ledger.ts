import { newId } from '../ids';
import type { Mode } from '../payments';

/**
 * Double-entry ledger. Amounts are signed minor units: a debit is positive, a credit negative, so the
 * entries of one posting sum to zero per currency (checked by `assertBalanced` before every write).
 *
 * Accounts:
 * - `provider_clearing`: money the provider (acquirer, wallet) holds for us — an asset;
 * - `merchant_balance`: what Payrail owes the merchant — a liability;
 * - `psp_fees`: Payrail's fee revenue.
 */
export const LEDGER_ACCOUNTS = ['provider_clearing', 'merchant_balance', 'psp_fees'] as const;
export type LedgerAccount = (typeof LEDGER_ACCOUNTS)[number];

export interface LedgerEntry {
  id: string;
  postingId: string;
  merchantId: string;
  mode: Mode;
  paymentId: string;
  refundId: string | null;
  account: LedgerAccount;
  amount: number;
  currency: string;
  createdAt: Date;
}

export type PostingKind = 'capture' | 'refund';

export interface LedgerPosting {
  id: string;
  kind: PostingKind;
  entries: LedgerEntry[];
}

/** A merchant's price: a percentage in basis points plus an optional fixed fee per currency. */
export interface Tariff {
  percentBps: number;
  fixed: Record<string, number>;
}

export const DEFAULT_TARIFF: Tariff = { percentBps: 0, fixed: {} };

/** Fee in minor units: amount × bps / 10 000 rounded half up (integer arithmetic), plus the fixed part, capped at the amount. */
export function computeFee(amount: number, currency: string, tariff: Tariff): number {
  const percent = (BigInt(amount) * BigInt(tariff.percentBps) + 5_000n) / 10_000n;
  const fee = Number(percent) + (tariff.fixed[currency] ?? 0);
  return Math.min(fee, amount);
}

export function assertBalanced(posting: LedgerPosting): void {
  const sums = new Map<string, number>();
  for (const entry of posting.entries) sums.set(entry.currency, (sums.get(entry.currency) ?? 0) + entry.amount);
  for (const [currency, sum] of sums) {
    if (sum !== 0) throw new Error(`Ledger posting ${posting.id} is unbalanced in ${currency} by ${sum}`);
  }
}

interface PostingContext {
  merchantId: string;
  mode: Mode;
  paymentId: string;
  refundId?: string | null;
  currency: string;
  now: Date;
}

function makePosting(kind: PostingKind, ctx: PostingContext, lines: Array<[LedgerAccount, number]>): LedgerPosting {
  const postingId = newId('posting');
  const entries = lines
    .filter(([, amount]) => amount !== 0)
    .map(([account, amount]) => ({
      id: newId('ledgerEntry'),
      postingId,
      merchantId: ctx.merchantId,
      mode: ctx.mode,
      paymentId: ctx.paymentId,
      refundId: ctx.refundId ?? null,
      account,
      amount,
      currency: ctx.currency,
      createdAt: ctx.now,
    }));
  const posting = { id: postingId, kind, entries };
  assertBalanced(posting);
  return posting;
}

/** Capture: the provider holds the amount; the merchant is owed it less the fee; the fee is revenue. */
export function capturePosting(ctx: PostingContext, amount: number, fee: number): LedgerPosting {
  return makePosting('capture', ctx, [
    ['provider_clearing', amount],
    ['merchant_balance', -(amount - fee)],
    ['psp_fees', -fee],
  ]);
}

/** Refund: the merchant's balance pays it back through the provider. Fees are not returned (documented). */
export function refundPosting(ctx: PostingContext, amount: number): LedgerPosting {
  return makePosting('refund', ctx, [
    ['merchant_balance', amount],
    ['provider_clearing', -amount],
  ]);
}
