import { type CardInput, PayrailError } from '@payrail/core';
import { describe, expect, it } from 'vitest';
import { luhnCheckDigit } from './luhn';
import { normalizePan, validateCard } from './validate-card';

const NOW = new Date('2026-06-15T12:00:00Z');
const card = (number: string, overrides: Partial<CardInput> = {}): CardInput => ({
  type: 'card',
  number,
  expMonth: 12,
  expYear: 2030,
  cvc: '123',
  ...overrides,
});

function failure(input: CardInput, options: Partial<Parameters<typeof validateCard>[1]> = {}): PayrailError {
  try {
    validateCard(input, { now: NOW, ...options });
  } catch (err) {
    expect(err).toBeInstanceOf(PayrailError);
    const e = err as PayrailError;
    expect(e.code).toBe('PAYRAIL_ERR_PAYMENT_METHOD_INVALID');
    expect(e.message).not.toContain(normalizePan(input.number) ?? '\u0000');
    return e;
  }
  throw new Error('expected the card to be refused');
}

describe('validateCard: number', () => {
  // card-validator card-number.ts rows (cards.md §5).
  it.each([
    ['4111111111111111', 'visa'],
    ['5555555555554444', 'mastercard'],
    ['5000000000000611', 'maestro'],
    ['5000000000000000005', 'maestro'],
    ['3530111333300000', 'jcb'],
    ['6011111111111117', 'discover'],
    ['30569309025904', 'diners'],
    ['2223003122003222', 'mastercard'],
  ])('%s is a valid %s card', (number, brand) => {
    expect(validateCard(card(number), { now: NOW })).toMatchObject({ pan: number, brand });
  });

  it('accepts amex with a 4-digit CID', () => {
    expect(validateCard(card('378282246310005', { cvc: '1234' }), { now: NOW }).brand).toBe('amex');
  });

  it('accepts Luhn-valid Mir numbers of 16 to 19 digits', () => {
    for (const prefix of ['2200', '2201', '2202', '2203', '2204']) {
      for (const length of [16, 17, 18, 19]) {
        const body = prefix + '7'.repeat(length - prefix.length - 1);
        expect(validateCard(card(body + luhnCheckDigit(body)), { now: NOW }).brand).toBe('mir');
      }
    }
  });

  it('strips spaces and dashes', () => {
    expect(validateCard(card('4242 4242-4242 4242'), { now: NOW }).pan).toBe('4242424242424242');
  });

  it.each([
    ['4111111111111112', /check it for typos/],
    ['4242424242424241', /check it for typos/],
    ['5555555555554446', /check it for typos/],
    ['5000000000000612', /check it for typos/],
    ['5732806135556590', /check it for typos/],
    ['41111111111111111111', /Visa card numbers have 16, 18, 19 digits/],
    ['50000000000000000009', /Maestro/],
    ['424242424242', /Visa/],
    ['9999999999999995', /supported card brand/],
    ['4242x42424242424', /only digits/],
    ['', /only digits/],
  ])('refuses %j with param "number"', (number, message) => {
    const e = failure(card(number));
    expect(e.param).toBe('number');
    expect(e.message).toMatch(message);
  });

  it('refuses a non-string number', () => {
    expect(failure(card(4242424242424242 as unknown as string)).param).toBe('number');
  });

  it('enforces Luhn on UnionPay unless told not to (card-validator luhnValidateUnionPay)', () => {
    expect(failure(card('6212345000000001')).param).toBe('number');
    expect(validateCard(card('6212345000000001'), { now: NOW, luhnValidateUnionPay: false }).brand).toBe(
      'unionpay',
    );
  });
});

describe('validateCard: expiry', () => {
  it('accepts the current month (valid through its last day) and later', () => {
    expect(
      validateCard(card('4242424242424242', { expMonth: 6, expYear: 2026 }), { now: NOW }).expMonth,
    ).toBe(6);
    expect(validateCard(card('4242424242424242', { expMonth: 1, expYear: 2027 }), { now: NOW }).expYear).toBe(
      2027,
    );
  });

  it.each([
    [{ expMonth: 5, expYear: 2026 }, 'exp_month', /expired/],
    [{ expMonth: 12, expYear: 2025 }, 'exp_year', /expired/],
    [{ expMonth: 0, expYear: 2030 }, 'exp_month', /1 to 12/],
    [{ expMonth: 13, expYear: 2030 }, 'exp_month', /1 to 12/],
    [{ expMonth: 1.5, expYear: 2030 }, 'exp_month', /1 to 12/],
    [{ expMonth: 12, expYear: 30 }, 'exp_year', /four digits/],
    [{ expMonth: 12, expYear: 2047 }, 'exp_year', /too far/],
    [{ expMonth: 12, expYear: Number.NaN }, 'exp_year', /four digits/],
  ])('refuses %j with param %s', (expiry, param, message) => {
    const e = failure(card('4242424242424242', expiry));
    expect(e.param).toBe(param);
    expect(e.message).toMatch(message);
  });

  it('uses the given clock, in UTC', () => {
    const e = failure(card('4242424242424242', { expMonth: 6, expYear: 2026 }), {
      now: new Date('2026-07-01T00:00:00Z'),
    });
    expect(e.param).toBe('exp_month');
  });
});

describe('validateCard: CVC', () => {
  it.each([
    ['4242424242424242', '12', /CVV of Visa cards has 3 digits/],
    ['4242424242424242', '1234', /CVV of Visa cards has 3 digits/],
    ['378282246310005', '123', /CID of American Express cards has 4 digits/],
    ['2200000000000004', '12', /CVP2/],
    ['4242424242424242', '12a', /only digits/],
    ['4242424242424242', ' 123', /only digits/],
    ['4242424242424242', '', /only digits/],
  ])('%s with CVC %j is refused with param "cvc"', (number, cvc, message) => {
    const e = failure(card(number, { cvc }));
    expect(e.param).toBe('cvc');
    expect(e.message).toMatch(message);
    if (cvc.length > 0) expect(e.message).not.toContain(cvc.trim());
  });
});

describe('normalizePan', () => {
  it('keeps digits, drops spaces and dashes, refuses anything else', () => {
    expect(normalizePan(' 4242-4242 ')).toBe('42424242');
    expect(normalizePan('4242.4242')).toBeUndefined();
    expect(normalizePan(undefined)).toBeUndefined();
  });
});

describe('validateCard without a CVC (issuer enrolment)', () => {
  it('requireCvc: false skips the CVC but checks everything else', () => {
    const now = new Date(Date.UTC(2026, 5, 15));
    const card = { type: 'card' as const, number: '4242424242424242', expMonth: 12, expYear: 2030, cvc: '' };
    expect(validateCard(card, { now, requireCvc: false })).toMatchObject({
      pan: '4242424242424242',
      cvc: '',
    });
    expect(() => validateCard(card, { now })).toThrow(expect.objectContaining({ param: 'cvc' }));
    expect(() => validateCard({ ...card, number: '4242424242424241' }, { now, requireCvc: false })).toThrow(
      expect.objectContaining({ param: 'number' }),
    );
  });
});
