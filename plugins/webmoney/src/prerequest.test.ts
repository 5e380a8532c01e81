import { isPayrailError } from '@payrail/core';
import { describe, expect, it } from 'vitest';
import { encode, PAYMENT_ID, preRequestFields, resolved } from '../test/fixtures';
import { parseNotification, respondToWebMoney } from './notification';

const parse = (fields: Record<string, string>) => parseNotification(encode(fields), resolved());

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (isPayrailError(error)) return error.code;
    throw error;
  }
  throw new Error('did not throw');
}

describe('pre-request (LMI_PREREQUEST=1)', () => {
  it('carries no hash; a well-formed one names the payment and amount and changes nothing', () => {
    const result = parse(preRequestFields({ amount: '10.00' }));
    expect(result).toEqual({
      type: 'verify',
      check: { paymentId: PAYMENT_ID, amount: { amount: 1000, currency: 'USD' } },
    });
  });

  it.each([
    ['a purse of another merchant', { purse: 'Z000000000001' }, 'PAYRAIL_ERR_WEBHOOK_MISMATCH'],
    ['a purse of an unconfigured currency', { purse: 'E123456789012' }, 'PAYRAIL_ERR_WEBHOOK_MISMATCH'],
    ['an amount with too many decimals', { amount: '10.005' }, 'PAYRAIL_ERR_WEBHOOK_PAYLOAD'],
    ['an amount that is not a number', { amount: 'ten' }, 'PAYRAIL_ERR_WEBHOOK_PAYLOAD'],
    ['a test-mode pre-request on a live instance', { mode: '1' as const }, 'PAYRAIL_ERR_WEBHOOK_MISMATCH'],
  ])('refuses %s', (_name, over, code) => {
    expect(codeOf(() => parse(preRequestFields(over)))).toBe(code);
  });

  it('refuses a payment id that does not derive to LMI_PAYMENT_NO, or none', () => {
    expect(codeOf(() => parse({ ...preRequestFields(), PAYRAIL_PAYMENT_ID: 'pay_other' }))).toBe(
      'PAYRAIL_ERR_WEBHOOK_SIGNATURE',
    );
    const { PAYRAIL_PAYMENT_ID: _id, ...noId } = preRequestFields();
    expect(codeOf(() => parse(noId))).toBe('PAYRAIL_ERR_WEBHOOK_PAYLOAD');
    expect(codeOf(() => parse({ ...preRequestFields(), LMI_PREREQUEST: '2' }))).toBe(
      'PAYRAIL_ERR_WEBHOOK_PAYLOAD',
    );
  });

  it('answers YES to allow and another text to refuse', () => {
    expect(respondToWebMoney({ accepted: true })).toEqual({
      statusCode: 200,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      body: 'YES',
    });
    const no = respondToWebMoney({
      accepted: false,
      error: { code: 'PAYRAIL_ERR_WEBHOOK_MISMATCH', message: 'amount\r\ndiffers' },
    });
    expect(no.body).toBe('NO PAYRAIL_ERR_WEBHOOK_MISMATCH: amount differs');
    expect(no.body.startsWith('YES')).toBe(false);
  });
});
