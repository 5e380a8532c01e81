import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { isId } from '../ids';
import { MAX_AMOUNT } from '../money';
import {
  assertBalanced,
  capturePosting,
  computeFee,
  LEDGER_ACCOUNTS,
  type LedgerPosting,
  refundPosting,
  type Tariff,
} from './ledger';

const ctx = {
  merchantId: 'mer_01J0000000ABCDEFGHJKMNPQRS',
  mode: 'test' as const,
  paymentId: 'pay_01J0000000ABCDEFGHJKMNPQRS',
  currency: 'RUB',
  now: new Date('2026-01-01T00:00:00Z'),
};

const amount = fc.integer({ min: 1, max: MAX_AMOUNT });
const tariff: fc.Arbitrary<Tariff> = fc.record({
  percentBps: fc.integer({ min: 0, max: 10_000 }),
  fixed: fc.record({ RUB: fc.integer({ min: 0, max: 100_000 }) }),
});

function sumBy(posting: LedgerPosting, account: string): number {
  return posting.entries.filter((e) => e.account === account).reduce((acc, e) => acc + e.amount, 0);
}

function expectWellFormed(posting: LedgerPosting): void {
  expect(posting.entries.reduce((acc, e) => acc + e.amount, 0)).toBe(0);
  for (const entry of posting.entries) {
    expect(Number.isSafeInteger(entry.amount)).toBe(true);
    expect(entry.amount).not.toBe(0);
    expect(LEDGER_ACCOUNTS).toContain(entry.account);
    expect(entry.postingId).toBe(posting.id);
    expect(isId('ledgerEntry', entry.id)).toBe(true);
    expect(entry.currency).toBe(ctx.currency);
  }
  expect(isId('posting', posting.id)).toBe(true);
  expect(() => assertBalanced(posting)).not.toThrow();
}

describe('computeFee', () => {
  test.prop([amount, tariff])('is an integer between 0 and the amount', (a, t) => {
    const fee = computeFee(a, 'RUB', t);
    expect(Number.isSafeInteger(fee)).toBe(true);
    expect(fee).toBeGreaterThanOrEqual(0);
    expect(fee).toBeLessThanOrEqual(a);
  });

  test.prop([amount, fc.integer({ min: 0, max: 10_000 })])(
    'rounds the percentage half up, exactly',
    (a, bps) => {
      const fee = computeFee(a, 'RUB', { percentBps: bps, fixed: {} });
      // fee is the integer nearest to a·bps/10000, halves rounded up: −5000 < fee·10000 − a·bps ≤ 5000
      // (an exact half lands on +5000).
      const diff = BigInt(fee) * 10_000n - BigInt(a) * BigInt(bps);
      expect(diff > -5_000n && diff <= 5_000n).toBe(true);
    },
  );

  it('examples: 2.9% of 1000 is 29, 2.5% of 10 rounds 0.25 to 0, 5% of 10 rounds 0.5 to 1', () => {
    // The half that fast-check once found past 2^53 when multiplied: 16.25 % of 924 984 831 623 720.
    expect(computeFee(924_984_831_623_720, 'RUB', { percentBps: 1_625, fixed: {} })).toBe(
      150_310_035_138_855,
    );
    expect(computeFee(1_000, 'RUB', { percentBps: 290, fixed: {} })).toBe(29);
    expect(computeFee(10, 'RUB', { percentBps: 250, fixed: {} })).toBe(0);
    expect(computeFee(10, 'RUB', { percentBps: 500, fixed: {} })).toBe(1);
  });

  it('adds the fixed part of the currency only, and caps at the amount', () => {
    const t: Tariff = { percentBps: 100, fixed: { RUB: 30, USD: 1_000 } };
    expect(computeFee(10_000, 'RUB', t)).toBe(130);
    expect(computeFee(10_000, 'EUR', t)).toBe(100);
    expect(computeFee(20, 'USD', t)).toBe(20);
  });

  it('never pays out on a misconfigured negative tariff', () => {
    expect(computeFee(1_000, 'RUB', { percentBps: -100, fixed: {} })).toBe(0);
    expect(computeFee(1_000, 'RUB', { percentBps: 0, fixed: { RUB: -50 } })).toBe(0);
  });

  it('ignores prototype keys when looking up the fixed fee', () => {
    expect(computeFee(1_000, 'constructor', { percentBps: 0, fixed: {} })).toBe(0);
  });

  it('refuses non-integer amounts and tariffs instead of producing fractions', () => {
    expect(() => computeFee(10.5, 'RUB', { percentBps: 100, fixed: {} })).toThrow(/safe integer/);
    expect(() => computeFee(1_000, 'RUB', { percentBps: 2.5, fixed: {} })).toThrow(/integers/);
    expect(() => computeFee(1_000, 'RUB', { percentBps: 0, fixed: { RUB: 0.5 } })).toThrow(/integers/);
  });
});

describe('capturePosting', () => {
  test.prop([amount, tariff])('always balances and splits the amount into merchant share and fee', (a, t) => {
    const fee = computeFee(a, 'RUB', t);
    const posting = capturePosting(ctx, a, fee);
    expect(posting.kind).toBe('capture');
    expectWellFormed(posting);
    expect(sumBy(posting, 'provider_clearing')).toBe(a);
    // Compared as sums with zero so that +0 and −0 do not matter.
    expect(sumBy(posting, 'merchant_balance') + (a - fee)).toBe(0);
    expect(sumBy(posting, 'psp_fees') + fee).toBe(0);
  });

  it('omits zero lines (no fee → two entries; fee = amount → no merchant line)', () => {
    expect(capturePosting(ctx, 1_000, 0).entries.map((e) => e.account)).toEqual([
      'provider_clearing',
      'merchant_balance',
    ]);
    expect(capturePosting(ctx, 1_000, 1_000).entries.map((e) => e.account)).toEqual([
      'provider_clearing',
      'psp_fees',
    ]);
  });

  it('copies the context onto every entry', () => {
    const posting = capturePosting({ ...ctx, refundId: null }, 500, 5);
    for (const e of posting.entries) {
      expect(e).toMatchObject({
        merchantId: ctx.merchantId,
        mode: 'test',
        paymentId: ctx.paymentId,
        refundId: null,
      });
      expect(e.createdAt).toEqual(ctx.now);
    }
  });

  it.each([
    ['fee above the amount', 100, 101],
    ['negative fee', 100, -1],
    ['fractional amount', 100.5, 0],
    ['fractional fee', 100, 0.5],
    ['NaN', Number.NaN, 0],
  ])('refuses %s', (_label, a, fee) => {
    expect(() => capturePosting(ctx, a, fee)).toThrow();
  });
});

describe('refundPosting', () => {
  test.prop([amount])('always balances: merchant balance pays the provider back', (a) => {
    const posting = refundPosting({ ...ctx, refundId: 're_01J0000000ABCDEFGHJKMNPQRS' }, a);
    expect(posting.kind).toBe('refund');
    expectWellFormed(posting);
    expect(sumBy(posting, 'merchant_balance')).toBe(a);
    expect(sumBy(posting, 'provider_clearing')).toBe(-a);
    for (const e of posting.entries) expect(e.refundId).toBe('re_01J0000000ABCDEFGHJKMNPQRS');
  });

  test.prop([amount, tariff, fc.array(fc.integer({ min: 1, max: 100 }), { maxLength: 10 })])(
    'a capture followed by refunds up to the captured amount leaves the provider clearing ≥ 0',
    (a, t, shares) => {
      const capture = capturePosting(ctx, a, computeFee(a, 'RUB', t));
      const postings = [capture];
      let refunded = 0;
      for (const share of shares) {
        const r = Math.min(a - refunded, Math.max(1, Math.floor((a * share) / 100)));
        if (r <= 0) break;
        refunded += r;
        postings.push(refundPosting(ctx, r));
      }
      const all = postings.flatMap((p) => p.entries);
      expect(all.reduce((acc, e) => acc + e.amount, 0)).toBe(0);
      const clearing = all
        .filter((e) => e.account === 'provider_clearing')
        .reduce((acc, e) => acc + e.amount, 0);
      expect(clearing).toBe(a - refunded);
      expect(clearing).toBeGreaterThanOrEqual(0);
    },
  );

  it('refuses a negative or fractional refund', () => {
    expect(() => refundPosting(ctx, -1)).toThrow();
    expect(() => refundPosting(ctx, 1.5)).toThrow();
  });
});

describe('assertBalanced', () => {
  const entry = (account: (typeof LEDGER_ACCOUNTS)[number], amountValue: number, currency = 'RUB') => ({
    id: 'le_x',
    postingId: 'pst_x',
    merchantId: ctx.merchantId,
    mode: 'test' as const,
    paymentId: ctx.paymentId,
    refundId: null,
    account,
    amount: amountValue,
    currency,
    createdAt: ctx.now,
  });

  it('throws on an unbalanced posting, per currency', () => {
    expect(() =>
      assertBalanced({
        id: 'pst_x',
        kind: 'capture',
        entries: [entry('provider_clearing', 100), entry('psp_fees', -99)],
      }),
    ).toThrow(/unbalanced in RUB by 1/);
    expect(() =>
      assertBalanced({
        id: 'pst_x',
        kind: 'capture',
        entries: [entry('provider_clearing', 100, 'RUB'), entry('merchant_balance', -100, 'USD')],
      }),
    ).toThrow(/unbalanced/);
  });

  it('throws on fractional amounts even when they sum to zero', () => {
    expect(() =>
      assertBalanced({
        id: 'pst_x',
        kind: 'capture',
        entries: [entry('provider_clearing', 0.5), entry('merchant_balance', -0.5)],
      }),
    ).toThrow(/non-integer/);
  });
});
