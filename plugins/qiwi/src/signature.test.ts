import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromQiwiValue, normaliseSignedValue, toQiwiAmount } from './mapping';
import { signedString, signNotification, verifyNotificationSignature } from './signature';

// The published vector (node, PHP and Java SDK tests; QIWI docs).
const SECRET = 'test-merchant-secret-for-signature-check';
const VECTOR = '07e0ebb10916d97760c196034105d010607a6c6b7d72bfa1c3451448ac484a3b';
const fields = { currency: 'RUB', amountValue: '1.00', billId: 'test_bill', siteId: 'test', status: 'PAID' };

describe('QIWI notification signature', () => {
  it('signs the published test vector', () => {
    expect(signedString(fields)).toBe('RUB|1.00|test_bill|test|PAID');
    expect(signNotification(fields, SECRET)).toBe(VECTOR);
    expect(verifyNotificationSignature(fields, VECTOR, SECRET)).toBe(true);
  });

  it('normalises "1" and 1 to "1.00" before signing, as the SDK does', () => {
    expect(normaliseSignedValue('1', 'RUB')).toBe('1.00');
    expect(normaliseSignedValue(1, 'RUB')).toBe('1.00');
    expect(normaliseSignedValue(50.5, 'RUB')).toBe('50.50');
    expect(
      verifyNotificationSignature({ ...fields, amountValue: normaliseSignedValue(1, 'RUB') }, VECTOR, SECRET),
    ).toBe(true);
  });

  it('refuses "foo", a missing header, the wrong case and other lengths', () => {
    expect(verifyNotificationSignature(fields, 'foo', SECRET)).toBe(false);
    expect(verifyNotificationSignature(fields, undefined, SECRET)).toBe(false);
    expect(verifyNotificationSignature(fields, '', SECRET)).toBe(false);
    expect(verifyNotificationSignature(fields, VECTOR.toUpperCase(), SECRET)).toBe(false);
    expect(verifyNotificationSignature(fields, VECTOR.slice(0, 62), SECRET)).toBe(false);
    expect(verifyNotificationSignature(fields, `${VECTOR}00`, SECRET)).toBe(false);
    expect(verifyNotificationSignature(fields, VECTOR, 'another-secret')).toBe(false);
  });

  it.each([
    ['currency', 'KZT'],
    ['amountValue', '1.01'],
    ['billId', 'test_bill2'],
    ['siteId', 'test2'],
    ['status', 'WAITING'],
  ] as const)('refuses a tampered %s', (key, value) => {
    expect(verifyNotificationSignature({ ...fields, [key]: value }, VECTOR, SECRET)).toBe(false);
  });

  it('property: signature(parse(format(x))) round-trips every amount', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 99_999_999 }), // Number(6.2): up to 999999.99
        fc.constantFrom('RUB', 'KZT'),
        fc.string({ minLength: 1, maxLength: 40 }),
        (minor, currency, billId) => {
          const wire = toQiwiAmount(minor, currency).value;
          expect(wire).toMatch(/^\d+\.\d{2}$/);
          const parsed = fromQiwiValue(wire, currency);
          expect(parsed).toBe(minor);
          // QIWI may send the value back as a JSON number: it must sign identically.
          const asNumber = JSON.parse(JSON.stringify({ v: Number(wire) })).v as number;
          expect(fromQiwiValue(asNumber, currency)).toBe(minor);
          const f = {
            currency,
            amountValue: normaliseSignedValue(wire, currency),
            billId,
            siteId: 's',
            status: 'PAID',
          };
          const sig = signNotification(f, SECRET);
          const g = { ...f, amountValue: normaliseSignedValue(asNumber, currency) };
          expect(verifyNotificationSignature(g, sig, SECRET)).toBe(true);
        },
      ),
    );
  });
});
