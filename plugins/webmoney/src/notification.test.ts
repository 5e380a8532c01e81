import { isPayrailError } from '@payrail/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  encode,
  notificationFields,
  PAYMENT_ID,
  preRequestFields,
  RUB_PURSE,
  resolved,
  SECRET,
  USD_PURSE,
} from '../test/fixtures';
import { parseFormBody, parseNotification } from './notification';
import type { ResolvedWebMoneyOptions } from './options';
import { paymentNumberFor } from './payment-number';

const parse = (fields: Record<string, string>, options: ResolvedWebMoneyOptions = resolved()) =>
  parseNotification(encode(fields), options);

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (isPayrailError(error)) return error.code;
    throw error;
  }
  throw new Error('did not throw');
}

describe('payment notification', () => {
  it('a correctly signed notification is a succeeded payment, amount in minor units', () => {
    expect(parse(notificationFields({ amount: '14.65' }))).toEqual({
      type: 'payment',
      notification: {
        notificationId: `payment:${paymentNumberFor(PAYMENT_ID)}:892`,
        paymentId: PAYMENT_ID,
        paymentRef: '892',
        amount: { amount: 1465, currency: 'USD' },
        outcome: { status: 'succeeded', amountCaptured: 1465, paymentRef: '892' },
      },
    });
  });

  it('takes the currency from the purse (R → RUB)', () => {
    const result = parse(notificationFields({ purse: RUB_PURSE, amount: '1000' }));
    expect(result.type === 'payment' && result.notification.amount).toEqual({
      amount: 100000,
      currency: 'RUB',
    });
  });

  it('MD5 purses: verifies an MD5 LMI_HASH', () => {
    const options = resolved({ hashMethod: 'MD5' });
    expect(parse(notificationFields({ method: 'MD5' }), options).type).toBe('payment');
    expect(codeOf(() => parse(notificationFields({ method: 'SHA256' }), options))).toBe(
      'PAYRAIL_ERR_WEBHOOK_SIGNATURE',
    );
  });

  it('SHA256 purses refuse an MD5 hash (no downgrade)', () => {
    expect(codeOf(() => parse(notificationFields({ method: 'MD5' })))).toBe('PAYRAIL_ERR_WEBHOOK_SIGNATURE');
  });

  it('accepts a lower-case LMI_HASH (hex case carries no information)', () => {
    const fields = notificationFields();
    expect(parse({ ...fields, LMI_HASH: (fields.LMI_HASH ?? '').toLowerCase() }).type).toBe('payment');
  });

  it('refuses a missing LMI_HASH and a hash made with another key', () => {
    const { LMI_HASH: _h, ...unsigned } = notificationFields();
    expect(codeOf(() => parse(unsigned))).toBe('PAYRAIL_ERR_WEBHOOK_SIGNATURE');
    expect(codeOf(() => parse(notificationFields({ secret: 'other-key' })))).toBe(
      'PAYRAIL_ERR_WEBHOOK_SIGNATURE',
    );
  });

  it.each([
    'LMI_PAYEE_PURSE',
    'LMI_PAYMENT_AMOUNT',
    'LMI_PAYMENT_NO',
    'LMI_MODE',
    'LMI_SYS_INVS_NO',
    'LMI_SYS_TRANS_NO',
    'LMI_SYS_TRANS_DATE',
    'LMI_PAYER_PURSE',
    'LMI_PAYER_WM',
  ])('a tampered %s is refused as a bad signature', (field) => {
    const fields = notificationFields();
    const tampered = { ...fields, [field]: field === 'LMI_PAYMENT_AMOUNT' ? '1000.00' : `${fields[field]}1` };
    expect(codeOf(() => parse(tampered))).toBe('PAYRAIL_ERR_WEBHOOK_SIGNATURE');
  });

  it('a swapped PAYRAIL_PAYMENT_ID (echoed, unsigned) is refused: it must derive to LMI_PAYMENT_NO', () => {
    const fields = notificationFields();
    expect(codeOf(() => parse({ ...fields, PAYRAIL_PAYMENT_ID: 'pay_01JOTHERPAYMENT0000000000' }))).toBe(
      'PAYRAIL_ERR_WEBHOOK_SIGNATURE',
    );
    const { PAYRAIL_PAYMENT_ID: _id, ...withoutId } = fields;
    expect(codeOf(() => parse(withoutId))).toBe('PAYRAIL_ERR_WEBHOOK_PAYLOAD');
  });

  it('LMI_PAYMENT_DESC is not signed: changing it is accepted', () => {
    expect(parse({ ...notificationFields(), LMI_PAYMENT_DESC: 'changed' }).type).toBe('payment');
  });

  it('a signed notification for a purse that is not this instance’s is refused', () => {
    expect(codeOf(() => parse(notificationFields({ purse: 'Z999999999999' })))).toBe(
      'PAYRAIL_ERR_WEBHOOK_MISMATCH',
    );
    expect(codeOf(() => parse(notificationFields({ purse: 'E123456789012' })))).toBe(
      'PAYRAIL_ERR_WEBHOOK_MISMATCH',
    );
  });

  it('a signed amount that is not a decimal of the currency is refused (never rounded)', () => {
    expect(codeOf(() => parse(notificationFields({ amount: '10.001' })))).toBe('PAYRAIL_ERR_WEBHOOK_PAYLOAD');
    expect(codeOf(() => parse(notificationFields({ amount: '1e3' })))).toBe('PAYRAIL_ERR_WEBHOOK_PAYLOAD');
    expect(codeOf(() => parse(notificationFields({ amount: '-1.00' })))).toBe('PAYRAIL_ERR_WEBHOOK_PAYLOAD');
  });

  it('LMI_MODE must match the instance: live refuses test payments, test refuses real ones', () => {
    expect(codeOf(() => parse(notificationFields({ mode: '1' })))).toBe('PAYRAIL_ERR_WEBHOOK_MISMATCH');
    const test = resolved({ testMode: true });
    expect(parse(notificationFields({ mode: '1' }), test).type).toBe('payment');
    expect(codeOf(() => parse(notificationFields({ mode: '0' }), test))).toBe('PAYRAIL_ERR_WEBHOOK_MISMATCH');
  });

  it('the published vector verifies end to end (test purse, MD5 and SHA256)', () => {
    const fields = {
      LMI_PAYEE_PURSE: 'Z123428476799',
      LMI_PAYMENT_AMOUNT: '14.65',
      LMI_PAYMENT_NO: '1444212666',
      LMI_MODE: '1',
      LMI_SYS_INVS_NO: '897',
      LMI_SYS_TRANS_NO: '892',
      LMI_SYS_TRANS_DATE: '20151007 13:07:36',
      LMI_PAYER_PURSE: 'Z366393600555',
      LMI_PAYER_WM: '404521188333',
      LMI_HASH: '0B12E75431284D6FCC05D8AF02B90AC28A0788FB95C9FF6B655344022F0746E5',
    };
    const options = resolved({ secretKey: '226778888', testMode: true });
    // The vector's order number was not made by us, so after the signature the binding check refuses it.
    expect(codeOf(() => parse(fields, options))).toBe('PAYRAIL_ERR_WEBHOOK_PAYLOAD');
    expect(codeOf(() => parse({ ...fields, LMI_HASH: `${fields.LMI_HASH.slice(0, -1)}1` }, options))).toBe(
      'PAYRAIL_ERR_WEBHOOK_SIGNATURE',
    );
    const md5 = resolved({ secretKey: '226778888', testMode: true, hashMethod: 'MD5' });
    expect(codeOf(() => parse({ ...fields, LMI_HASH: '1D3FFAFA982B134479C4AD1AE2CABB5C' }, md5))).toBe(
      'PAYRAIL_ERR_WEBHOOK_PAYLOAD',
    );
  });
});

describe('LMI_HASH2', () => {
  it('is verified when present (default if_present)', () => {
    const fields = notificationFields({ hash2: true });
    expect(parse(fields).type).toBe('payment');
    expect(codeOf(() => parse({ ...fields, LMI_HASH2: '0'.repeat(64) }))).toBe(
      'PAYRAIL_ERR_WEBHOOK_SIGNATURE',
    );
  });

  it('required: a notification without it is refused; off: it is not checked', () => {
    expect(codeOf(() => parse(notificationFields(), resolved({ hash2: 'required' })))).toBe(
      'PAYRAIL_ERR_WEBHOOK_SIGNATURE',
    );
    expect(parse(notificationFields({ hash2: true }), resolved({ hash2: 'required' })).type).toBe('payment');
    expect(
      parse({ ...notificationFields({ hash2: true }), LMI_HASH2: 'x' }, resolved({ hash2: 'off' })).type,
    ).toBe('payment');
  });

  it('covers LMI_HOLD when present; held payments are then refused as unsupported', () => {
    const fields = notificationFields({ hash2: true, hold: '3' });
    expect(codeOf(() => parse({ ...fields, LMI_HOLD: '4' }))).toBe('PAYRAIL_ERR_WEBHOOK_SIGNATURE');
    expect(codeOf(() => parse(fields))).toBe('PAYRAIL_ERR_WEBHOOK_PAYLOAD');
    expect(parse(notificationFields({ hash2: true, hold: '0' })).type).toBe('payment');
  });
});

describe('duplicates and malformed bodies', () => {
  it('the same notification twice has the same notificationId (core makes the repeat a no-op)', () => {
    const body = notificationFields();
    const a = parse(body);
    const b = parse(body);
    expect(a).toEqual(b);
    const c = parse(notificationFields({ transNo: '893' }));
    expect(a.type === 'payment' && c.type === 'payment' && a.notification.notificationId).not.toBe(
      c.type === 'payment' && c.notification.notificationId,
    );
  });

  it('a field sent twice is refused (parameter pollution)', () => {
    const body = Buffer.concat([encode(notificationFields()), Buffer.from('&LMI_PAYMENT_AMOUNT=1.00')]);
    expect(codeOf(() => parseNotification(body, resolved()))).toBe('PAYRAIL_ERR_WEBHOOK_PAYLOAD');
  });

  it('parses + and %-escapes in the raw body', () => {
    expect(parseFormBody(Buffer.from('A=1+2&B=%D0%B6'))).toEqual({ A: '1 2', B: 'ж' });
  });

  it('an empty body is a missing signature', () => {
    expect(codeOf(() => parseNotification(Buffer.alloc(0), resolved()))).toBe(
      'PAYRAIL_ERR_WEBHOOK_SIGNATURE',
    );
  });
});

describe('properties', () => {
  const options = resolved();
  const arbFields = fc.record({
    paymentId: fc.stringMatching(/^pay_[0-9A-Z]{26}$/),
    amount: fc
      .integer({ min: 1, max: 10 ** 12 })
      .map((n) => `${Math.floor(n / 100)}.${String(n % 100).padStart(2, '0')}`),
    transNo: fc.stringMatching(/^[1-9][0-9]{0,11}$/),
  });

  it('every correctly signed notification verifies and reports its amount exactly', () => {
    fc.assert(
      fc.property(arbFields, ({ paymentId, amount, transNo }) => {
        const result = parse(notificationFields({ paymentId, amount, transNo, hash2: true }), options);
        expect(result.type).toBe('payment');
        if (result.type !== 'payment') return;
        const [whole, frac] = amount.split('.') as [string, string];
        expect(result.notification.amount?.amount).toBe(Number(whole) * 100 + Number(frac));
        expect(result.notification.paymentId).toBe(paymentId);
      }),
    );
  });

  it('changing any one character of a signed field is refused as a bad signature', () => {
    const signedKeys = [
      'LMI_PAYEE_PURSE',
      'LMI_PAYMENT_AMOUNT',
      'LMI_PAYMENT_NO',
      'LMI_MODE',
      'LMI_SYS_INVS_NO',
      'LMI_SYS_TRANS_NO',
      'LMI_SYS_TRANS_DATE',
      'LMI_PAYER_PURSE',
      'LMI_PAYER_WM',
      'LMI_HASH',
    ];
    fc.assert(
      fc.property(
        arbFields,
        fc.constantFrom(...signedKeys),
        fc.nat(),
        fc.constantFrom(...'0123456789ABCDEFZ. '),
        ({ paymentId, amount, transNo }, key, at, char) => {
          const fields = notificationFields({ paymentId, amount, transNo });
          const value = fields[key] ?? '';
          const i = at % value.length;
          fc.pre(value[i] !== char && value[i]?.toUpperCase() !== char);
          const tampered = { ...fields, [key]: value.slice(0, i) + char + value.slice(i + 1) };
          expect(codeOf(() => parse(tampered, options))).toBe('PAYRAIL_ERR_WEBHOOK_SIGNATURE');
        },
      ),
    );
  });

  it('the secret key never appears in a parse result or an error message', () => {
    const results = [parse(notificationFields()), parse(preRequestFields())];
    const errors: string[] = [];
    for (const bad of [
      notificationFields({ secret: 'x' }),
      notificationFields({ purse: USD_PURSE, mode: '1' }),
    ]) {
      try {
        parse(bad);
      } catch (e) {
        errors.push(String((e as Error).message));
      }
    }
    expect(JSON.stringify(results) + errors.join()).not.toContain(SECRET);
  });
});
