import {
  DECLINE_CODES,
  ERROR_CATALOGUE,
  isPayrailError,
  type PaymentOutcome,
  type PayrailError,
  type RefundOutcome,
} from '@payrail/core';
import { expect } from 'vitest';

const OUTCOME_KEYS: Record<PaymentOutcome['status'], readonly string[]> = {
  requires_action: ['nextAction'],
  processing: [],
  authorized: ['amountAuthorized'],
  succeeded: ['amountCaptured'],
  declined: ['decline'],
  canceled: ['reason'],
};
const COMMON_KEYS = ['status', 'paymentRef', 'card'];

const isPositiveInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v > 0;
const isNonEmptyString = (v: unknown): v is string => typeof v === 'string' && v.trim().length > 0;

/**
 * Fails the current test unless `outcome` is a well-formed PaymentOutcome for a payment of `amount`:
 * a known status with exactly its fields, integer amounts within the payment's, a normalised decline
 * code, a usable next action, card display data that can never hold a full card number, and nothing a
 * JSON round trip would change.
 */
export function expectValidPaymentOutcome(
  outcome: unknown,
  payment: { amount: number },
): asserts outcome is PaymentOutcome {
  expect(outcome, 'a PaymentOutcome is an object').toBeTypeOf('object');
  expect(outcome).not.toBeNull();
  const o = outcome as Record<string, unknown>;
  expect(Object.keys(OUTCOME_KEYS), `unknown outcome status "${String(o.status)}"`).toContain(o.status);
  const status = o.status as PaymentOutcome['status'];
  const allowed = [...COMMON_KEYS, ...OUTCOME_KEYS[status]];
  for (const key of Object.keys(o)) {
    if (o[key] !== undefined)
      expect(allowed, `field "${key}" does not belong in a ${status} outcome`).toContain(key);
  }
  if (o.paymentRef !== undefined)
    expect(isNonEmptyString(o.paymentRef), 'paymentRef is a non-empty string').toBe(true);

  switch (status) {
    case 'requires_action': {
      const action = o.nextAction as Record<string, unknown> | undefined;
      expect(action, 'requires_action needs a nextAction').toBeTypeOf('object');
      expect(['redirect', 'form_post', 'display_qr']).toContain(action?.type);
      if (action?.type === 'redirect' || action?.type === 'form_post') {
        expect(isNonEmptyString(action.url)).toBe(true);
        expect(['http:', 'https:']).toContain(new URL(String(action.url)).protocol);
      }
      if (action?.type === 'form_post') {
        expect(action.fields).toBeTypeOf('object');
        for (const value of Object.values(action.fields as object)) expect(value).toBeTypeOf('string');
      }
      if (action?.type === 'display_qr') expect(isNonEmptyString(action.data)).toBe(true);
      break;
    }
    case 'authorized':
      if (o.amountAuthorized !== undefined) {
        expect(isPositiveInt(o.amountAuthorized), 'amountAuthorized is a positive integer').toBe(true);
        expect(o.amountAuthorized as number).toBeLessThanOrEqual(payment.amount);
      }
      break;
    case 'succeeded':
      if (o.amountCaptured !== undefined) {
        expect(isPositiveInt(o.amountCaptured), 'amountCaptured is a positive integer').toBe(true);
        expect(o.amountCaptured as number).toBeLessThanOrEqual(payment.amount);
      }
      break;
    case 'declined': {
      const decline = o.decline as Record<string, unknown> | undefined;
      expect(decline, 'a declined outcome carries a decline').toBeTypeOf('object');
      expect(DECLINE_CODES, 'decline.code is one of DECLINE_CODES').toContain(decline?.code);
      expect(isNonEmptyString(decline?.message), 'decline.message is a non-empty string').toBe(true);
      if (decline?.providerCode !== undefined) expect(decline.providerCode).toBeTypeOf('string');
      break;
    }
    case 'canceled':
      if (o.reason !== undefined) expect(['expired', 'rejected', 'voided']).toContain(o.reason);
      break;
    case 'processing':
      break;
  }

  if (o.card !== undefined) {
    const card = o.card as Record<string, unknown>;
    expect(isNonEmptyString(card.brand)).toBe(true);
    expect(card.first6).toMatch(/^\d{6}$/);
    expect(card.last4).toMatch(/^\d{4}$/);
    expect(
      Number.isInteger(card.expMonth) && (card.expMonth as number) >= 1 && (card.expMonth as number) <= 12,
    ).toBe(true);
    expect(String(card.expYear)).toMatch(/^\d{4}$/);
    if (card.fingerprint !== undefined) expect(isNonEmptyString(card.fingerprint)).toBe(true);
    for (const key of Object.keys(card)) {
      expect(
        ['brand', 'first6', 'last4', 'expMonth', 'expYear', 'fingerprint', 'authentication'],
        `card.${key} is not display data`,
      ).toContain(key);
    }
  }
  expect(JSON.parse(JSON.stringify(outcome)), 'the outcome survives a JSON round trip').toEqual(outcome);
}

/** Fails the current test unless `outcome` is a well-formed RefundOutcome. */
export function expectValidRefundOutcome(outcome: unknown): asserts outcome is RefundOutcome {
  expect(outcome).toBeTypeOf('object');
  const o = outcome as Record<string, unknown>;
  expect(['pending', 'succeeded', 'failed']).toContain(o.status);
  if (o.refundRef !== undefined) expect(isNonEmptyString(o.refundRef)).toBe(true);
  if (o.status === 'failed') {
    const failure = o.failure as Record<string, unknown> | undefined;
    expect(isNonEmptyString(failure?.code)).toBe(true);
    expect(isNonEmptyString(failure?.message)).toBe(true);
  }
  expect(JSON.parse(JSON.stringify(outcome))).toEqual(outcome);
}

/** Fails unless `err` is a PayrailError with a catalogue code (and, if given, that code). */
export function expectPayrailError(err: unknown, code?: string): asserts err is PayrailError {
  const looksLike =
    isPayrailError(err) ||
    (err instanceof Error &&
      err.name === 'PayrailError' &&
      Object.hasOwn(ERROR_CATALOGUE, String((err as PayrailError).code)));
  expect(
    looksLike,
    `expected a PayrailError, got ${err instanceof Error ? `${err.name}: ${err.message}` : JSON.stringify(err)}`,
  ).toBe(true);
  if (code !== undefined) expect((err as PayrailError).code).toBe(code);
}

/** Runs `fn` and returns what it threw; fails if it resolved. */
export async function catchError(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    await fn();
  } catch (err) {
    return err;
  }
  expect.fail('expected the call to throw');
}

/** Resolves to the call's result, or checks that what it threw is a PayrailError. Raw errors fail the test. */
export async function settlesOrThrowsPayrailError<T>(
  fn: () => Promise<T>,
): Promise<{ ok: true; value: T } | { ok: false; error: PayrailError }> {
  try {
    return { ok: true, value: await fn() };
  } catch (err) {
    expectPayrailError(err);
    return { ok: false, error: err };
  }
}
