import { type Logger, silentLogger } from '@payrail/core';
import { describe, expect, it, vi } from 'vitest';
import {
  errorOfResponse,
  expirationDateTime,
  fromQiwiValue,
  outcomeOfBill,
  outcomeOfRefund,
  payUrlWithSuccess,
  toQiwiAmount,
} from './mapping';

const spyLogger = (): Logger & { warn: ReturnType<typeof vi.fn> } => {
  const logger = { ...silentLogger, warn: vi.fn() };
  logger.child = () => logger;
  return logger;
};

describe('amount formatting', () => {
  it.each([
    [1000, 'RUB', '10.00'],
    [1, 'RUB', '0.01'],
    [10, 'RUB', '0.10'],
    [20034, 'RUB', '200.34'],
    [99_999_999, 'KZT', '999999.99'],
  ])('%i %s minor units → "%s"', (minor, currency, wire) => {
    expect(toQiwiAmount(minor, currency)).toEqual({ currency, value: wire });
  });

  it('a zero-decimal currency still goes out with two decimals (JPY 100 → "100.00")', () => {
    expect(toQiwiAmount(100, 'JPY').value).toBe('100.00');
  });

  it('a three-decimal amount that does not fit two decimals is refused, never rounded', () => {
    expect(() => toQiwiAmount(1005, 'KWD')).toThrow(
      expect.objectContaining({ code: 'PAYRAIL_ERR_AMOUNT_PRECISION' }),
    );
    expect(toQiwiAmount(1000, 'KWD').value).toBe('1.00');
  });

  it('parses QIWI values (numbers or strings) without floats and refuses excess precision', () => {
    expect(fromQiwiValue(100, 'RUB')).toBe(10000);
    expect(fromQiwiValue(50.5, 'RUB')).toBe(5050);
    expect(fromQiwiValue('200.34', 'RUB')).toBe(20034);
    expect(() => fromQiwiValue(0.1 + 0.2, 'RUB')).toThrow(
      expect.objectContaining({ code: 'PAYRAIL_ERR_AMOUNT_PRECISION' }),
    );
    expect(() => fromQiwiValue('200.345', 'RUB')).toThrow(
      expect.objectContaining({ code: 'PAYRAIL_ERR_AMOUNT_PRECISION' }),
    );
    expect(() => fromQiwiValue(-1, 'RUB')).toThrow(
      expect.objectContaining({ code: 'PAYRAIL_ERR_AMOUNT_INVALID' }),
    );
    expect(() => fromQiwiValue(1e21, 'RUB')).toThrow(
      expect.objectContaining({ code: 'PAYRAIL_ERR_AMOUNT_INVALID' }),
    );
    expect(() => fromQiwiValue(null, 'RUB')).toThrow(
      expect.objectContaining({ code: 'PAYRAIL_ERR_AMOUNT_INVALID' }),
    );
  });
});

describe('request details', () => {
  it('expirationDateTime carries an explicit offset', () => {
    expect(expirationDateTime(new Date(Date.UTC(2026, 0, 1, 12, 0, 0)), 45)).toBe(
      '2026-01-01T12:45:00+00:00',
    );
  });

  it('appends successUrl to payUrl, URL-encoded', () => {
    const url = payUrlWithSuccess(
      'https://oplata.qiwi.com/form/?invoice_uid=abc',
      'https://payrail.test/pay/x?a=1&b=2',
    );
    const parsed = new URL(url);
    expect(parsed.searchParams.get('invoice_uid')).toBe('abc');
    expect(parsed.searchParams.get('successUrl')).toBe('https://payrail.test/pay/x?a=1&b=2');
    expect(payUrlWithSuccess('https://oplata.qiwi.com/form/?invoice_uid=abc', null)).toBe(
      'https://oplata.qiwi.com/form/?invoice_uid=abc',
    );
  });
});

describe('bill status map', () => {
  const payUrl = 'https://oplata.qiwi.com/form/?invoice_uid=abc';
  it.each([
    [
      'WAITING',
      { status: 'requires_action', nextAction: { type: 'redirect', url: payUrl }, paymentRef: 'b1' },
    ],
    ['PAID', { status: 'succeeded', paymentRef: 'b1' }],
    ['REJECTED', { status: 'canceled', reason: 'rejected', paymentRef: 'b1' }],
    ['EXPIRED', { status: 'canceled', reason: 'expired', paymentRef: 'b1' }],
  ])('%s', (value, expected) => {
    const logger = spyLogger();
    expect(outcomeOfBill({ billId: 'b1', status: { value }, payUrl }, logger)).toEqual(expected);
    expect(logger.warn).not.toHaveBeenCalled();
  });

  it('WAITING without a payUrl (a notification) is processing', () => {
    expect(outcomeOfBill({ billId: 'b1', status: { value: 'WAITING' } }, silentLogger)).toEqual({
      status: 'processing',
      paymentRef: 'b1',
    });
  });

  it.each(['PARTIAL', 'paid', '', undefined, 42])(
    'unknown status %s → processing with a warning, never success',
    (value) => {
      const logger = spyLogger();
      expect(outcomeOfBill({ billId: 'b1', status: { value } }, logger)).toEqual({
        status: 'processing',
        paymentRef: 'b1',
      });
      expect(logger.warn).toHaveBeenCalledOnce();
    },
  );
});

describe('refund status map', () => {
  it('PARTIAL (part of the bill refunded) and FULL (all of it) are both a done refund; unknown is pending with a warning', () => {
    const logger = spyLogger();
    expect(outcomeOfRefund({ refundId: 're_1', status: 'PARTIAL' }, 're_1', logger)).toEqual({
      status: 'succeeded',
      refundRef: 're_1',
    });
    expect(outcomeOfRefund({ refundId: 're_1', status: 'FULL' }, 're_1', logger)).toEqual({
      status: 'succeeded',
      refundRef: 're_1',
    });
    expect(logger.warn).not.toHaveBeenCalled();
    expect(outcomeOfRefund({ status: 'DONE' }, 're_2', logger)).toEqual({
      status: 'pending',
      refundRef: 're_2',
    });
    expect(logger.warn).toHaveBeenCalledOnce();
  });
});

describe('error mapping', () => {
  const body = (errorCode: string) => ({ errorCode, description: 'd', traceId: 't' });
  it.each([
    [401, body('auth.unauthorized'), false, 'PAYRAIL_ERR_PROVIDER_AUTH', false],
    [403, null, true, 'PAYRAIL_ERR_PROVIDER_AUTH', false],
    [404, body('api.invoice.not.found'), false, 'PAYRAIL_ERR_PROVIDER_REJECTED', false],
    [400, body('refund.incorrect.amount'), true, 'PAYRAIL_ERR_REFUND_AMOUNT', false],
    [400, body('validation.error'), true, 'PAYRAIL_ERR_PROVIDER_REJECTED', false],
    [500, null, true, 'PAYRAIL_ERR_PROVIDER_UNAVAILABLE', true],
    [503, null, false, 'PAYRAIL_ERR_PROVIDER_UNAVAILABLE', false],
    [429, null, false, 'PAYRAIL_ERR_PROVIDER_UNAVAILABLE', false],
  ] as const)('HTTP %i %o (mutating %s) → %s', (status, b, mutating, code, unknown) => {
    const err = errorOfResponse(status, b, mutating);
    expect(err.code).toBe(code);
    expect(err.outcomeUnknown).toBe(unknown);
    if (b) expect(err.details).toMatchObject({ providerCode: b.errorCode, traceId: 't', httpStatus: status });
  });

  it('an auth failure is a configuration error, not a decline', () => {
    expect(errorOfResponse(401, body('auth.unauthorized'), false).category).toBe('configuration');
  });
});
