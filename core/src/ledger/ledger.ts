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

/**
 * Fee in minor units: amount × bps / 10 000 rounded half up (integer arithmetic), plus the fixed part,
 * kept between 0 and the amount (a fee never exceeds what was captured, and a misconfigured negative
 * tariff never turns into a payout).
 */
export function computeFee(amount: number, currency: string, tariff: Tariff): number {
  assertLedgerAmount(amount, 'amount');
  const fixed = Object.hasOwn(tariff.fixed, currency) ? (tariff.fixed[currency] ?? 0) : 0;
  if (!Number.isSafeInteger(tariff.percentBps) || !Number.isSafeInteger(fixed)) {
    throw new Error(
      `Ledger: tariff parts must be integers, got ${tariff.percentBps} bps + ${fixed} ${currency}`,
    );
  }
  const percent = (BigInt(amount) * BigInt(tariff.percentBps) + 5_000n) / 10_000n;
  const fee = Number(percent) + fixed;
  return Math.max(0, Math.min(fee, amount));
}

/** Ledger amounts are integers of minor units, nothing else (no floats, no NaN, nothing past 2^53). */
function assertLedgerAmount(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new Error(`Ledger: ${what} must be a non-negative safe integer, got ${value}`);
  }
}

export function assertBalanced(posting: LedgerPosting): void {
  const sums = new Map<string, number>();
  for (const entry of posting.entries) {
    if (!Number.isSafeInteger(entry.amount)) {
      throw new Error(`Ledger posting ${posting.id} has a non-integer amount ${entry.amount}`);
    }
    sums.set(entry.currency, (sums.get(entry.currency) ?? 0) + entry.amount);
  }
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

function makePosting(
  kind: PostingKind,
  ctx: PostingContext,
  lines: Array<[LedgerAccount, number]>,
): LedgerPosting {
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
  assertLedgerAmount(amount, 'capture amount');
  assertLedgerAmount(fee, 'fee');
  if (fee > amount) throw new Error(`Ledger: fee ${fee} exceeds the captured amount ${amount}`);
  return makePosting('capture', ctx, [
    ['provider_clearing', amount],
    ['merchant_balance', -(amount - fee)],
    ['psp_fees', -fee],
  ]);
}

/** Refund: the merchant's balance pays it back through the provider. Fees are not returned (documented). */
export function refundPosting(ctx: PostingContext, amount: number): LedgerPosting {
  assertLedgerAmount(amount, 'refund amount');
  return makePosting('refund', ctx, [
    ['merchant_balance', amount],
    ['provider_clearing', -amount],
  ]);
}
