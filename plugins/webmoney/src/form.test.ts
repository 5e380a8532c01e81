import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PAYMENT_ID, RUB_PURSE, resolved, USD_PURSE } from '../test/fixtures';
import { buildPaymentFormAction, buildPaymentFormFields, descriptionOf, formatAmount } from './form';
import { PAYMENT_NO_MODULUS, paymentNumberFor } from './payment-number';
import { paymentFormSign } from './signature';

const payment = {
  id: PAYMENT_ID,
  amount: 1465,
  currency: 'USD',
  orderId: '42',
  description: 'Test Transaction',
};
const input = {
  payment,
  resultUrl: 'https://payrail.test/hooks/webmoney/default',
  returnUrl: 'https://payrail.test/pay/pay_1/return',
};

describe('payment form fields (golden)', () => {
  it('live instance, defaults', () => {
    expect(buildPaymentFormFields(resolved(), input)).toEqual({
      LMI_PAYEE_PURSE: USD_PURSE,
      LMI_PAYMENT_AMOUNT: '14.65',
      LMI_PAYMENT_NO: paymentNumberFor(PAYMENT_ID),
      // The notes' own example: "Test Transaction" → VGVzdCBUcmFuc2FjdGlvbg==
      LMI_PAYMENT_DESC_BASE64: 'VGVzdCBUcmFuc2FjdGlvbg==',
      LMI_RESULT_URL: 'https://payrail.test/hooks/webmoney/default',
      LMI_SUCCESS_URL: 'https://payrail.test/pay/pay_1/return',
      LMI_SUCCESS_METHOD: '2',
      LMI_FAIL_URL: 'https://payrail.test/pay/pay_1/return',
      LMI_FAIL_METHOD: '2',
      PAYRAIL_PAYMENT_ID: PAYMENT_ID,
    });
  });

  it('test mode with LMI_SIM_MODE, plain description, GET return, signed form', () => {
    const options = resolved({
      testMode: true,
      simMode: 2,
      descriptionEncoding: 'plain',
      returnMethod: 'GET',
      paymentFormSign: { secretKey: 'x20-key' },
    });
    const fields = buildPaymentFormFields(options, {
      ...input,
      payment: { ...payment, currency: 'RUB', amount: 100 },
    });
    expect(fields).toMatchObject({
      LMI_PAYEE_PURSE: RUB_PURSE,
      LMI_PAYMENT_AMOUNT: '1.00',
      LMI_PAYMENT_DESC: 'Test Transaction',
      LMI_SIM_MODE: '2',
      LMI_SUCCESS_METHOD: '0',
      LMI_FAIL_METHOD: '0',
      LMI_PAYMENTFORM_SIGN: paymentFormSign(
        { purse: RUB_PURSE, amount: '1.00', paymentNo: paymentNumberFor(PAYMENT_ID) },
        'x20-key',
        'trailing_semicolon',
        'upper',
      ),
    });
    expect(fields.LMI_PAYMENT_DESC_BASE64).toBeUndefined();
    expect(fields.LMI_PAYMENTFORM_SIGN).toMatch(/^[0-9A-F]{64}$/);
  });

  it('never sends LMI_SIM_MODE for a live purse, nor any secret', () => {
    const options = resolved({ paymentFormSign: { secretKey: 'x20-key' } });
    const fields = buildPaymentFormFields(options, input);
    expect(fields.LMI_SIM_MODE).toBeUndefined();
    expect(JSON.stringify(fields)).not.toContain(options.secretKey);
    expect(JSON.stringify(fields)).not.toContain('x20-key');
  });

  it('is a form_post to the form URL', () => {
    const action = buildPaymentFormAction(resolved(), input);
    expect(action).toMatchObject({
      type: 'form_post',
      url: 'https://merchant.webmoney.ru/lmi/payment_utf.asp',
    });
  });

  it('refuses a currency without a purse', () => {
    expect(() =>
      buildPaymentFormFields(resolved(), { ...input, payment: { ...payment, currency: 'EUR' } }),
    ).toThrow(expect.objectContaining({ code: 'PAYRAIL_ERR_METHOD_UNAVAILABLE' }));
  });
});

describe('amount formatting', () => {
  it.each([
    [1, 'USD', '0.01'],
    [1465, 'USD', '14.65'],
    [100000, 'RUB', '1000.00'],
    [10 ** 15, 'USD', '10000000000000.00'],
  ])('%i %s → %s', (minor, currency, text) => {
    expect(formatAmount(minor, currency)).toBe(text);
  });

  it('property: always two decimals, and parses back to the same minor units', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10 ** 15 }), (minor) => {
        const text = formatAmount(minor, 'USD');
        expect(text).toMatch(/^\d+\.\d{2}$/);
        const [whole, frac] = text.split('.') as [string, string];
        expect(BigInt(whole) * 100n + BigInt(frac)).toBe(BigInt(minor));
      }),
    );
  });
});

describe('descriptions', () => {
  it('defaults to the order id and caps at 255 characters (not bytes)', () => {
    expect(descriptionOf({ id: 'pay_1', orderId: 'A-7', description: null })).toBe('Order A-7');
    expect(descriptionOf({ id: 'pay_1', orderId: null, description: '  ' })).toBe('Order pay_1');
    const long = 'ж'.repeat(300);
    expect(Array.from(descriptionOf({ id: 'pay_1', orderId: null, description: long }))).toHaveLength(255);
  });
});

describe('LMI_PAYMENT_NO', () => {
  it('property: a deterministic unsigned integer of at most 15 digits', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), (id) => {
        const no = paymentNumberFor(id);
        expect(no).toMatch(/^[1-9][0-9]{0,14}$/);
        expect(BigInt(no) <= PAYMENT_NO_MODULUS).toBe(true);
        expect(paymentNumberFor(id)).toBe(no);
      }),
    );
  });
});
