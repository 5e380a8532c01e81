import { describe, expect, it } from 'vitest';
import { changeRatio, figuresOf } from './figures';

describe('figuresOf', () => {
  it('keeps currencies apart and derives rates, average ticket and net from sums', () => {
    const figures = figuresOf(
      [
        { currency: 'USD', status: 'succeeded', method: 'card', shopId: null, count: 2, amount: 3_000 },
        { currency: 'USD', status: 'failed', method: 'card', shopId: null, count: 1, amount: 500 },
        { currency: 'USD', status: 'refunded', method: 'qiwi_wallet', shopId: null, count: 1, amount: 1_000 },
        { currency: 'RUB', status: 'processing', method: 'card', shopId: null, count: 4, amount: 40_000 },
      ],
      [
        { currency: 'USD', captured: 4_001, captureCount: 3, fees: 120, refunded: 1_000, refundCount: 1 },
        { currency: 'EUR', captured: 0, captureCount: 0, fees: 0, refunded: 200, refundCount: 1 },
      ],
    );
    expect(figures.map((f) => f.currency)).toEqual(['EUR', 'RUB', 'USD']);
    const [eur, rub, usd] = figures;
    expect(usd).toMatchObject({
      paymentCount: 4,
      paymentAmount: 4_500,
      paidCount: 3,
      paidAmount: 4_000,
      failedCount: 1,
      successRate: 0.75,
      captured: 4_001,
      averageTicket: 1_334, // 1333.67 rounded half up
      net: 4_001 - 120 - 1_000,
    });
    expect(usd?.byMethod).toEqual([
      { method: 'card', count: 3, amount: 3_500, paidCount: 2, paidAmount: 3_000 },
      { method: 'qiwi_wallet', count: 1, amount: 1_000, paidCount: 1, paidAmount: 1_000 },
    ]);
    expect(rub).toMatchObject({ pendingCount: 4, successRate: null, averageTicket: null });
    expect(eur).toMatchObject({ paymentCount: 0, net: -200 });
  });

  it('changeRatio is null without a base', () => {
    expect(changeRatio(150, 100)).toBe(0.5);
    expect(changeRatio(0, 100)).toBe(-1);
    expect(changeRatio(5, 0)).toBeNull();
  });
});
