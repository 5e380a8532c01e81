import { PayrailError } from '@payrail/core';
import { describe, expect, it } from 'vitest';
import { APPROVED, declineCodeFor } from './response-codes';
import {
  type AuthorizationRequest,
  SANDBOX_TEST_CARDS,
  SandboxAcquirer,
  sandboxResponseCode,
} from './sandbox-acquirer';

const card = {
  brand: 'visa',
  first6: '424242',
  last4: '4242',
  expMonth: 12,
  expYear: 2030,
  fingerprint: 'f',
};
const request = (overrides: Partial<AuthorizationRequest> = {}): AuthorizationRequest => ({
  paymentId: 'pay_1',
  pan: '4242424242424242',
  card,
  amount: 1_000,
  currency: 'RUB',
  capture: false,
  ...overrides,
});

async function rejected(p: Promise<unknown>): Promise<PayrailError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(PayrailError);
  expect((err as PayrailError).code).toBe('PAYRAIL_ERR_PROVIDER_REJECTED');
  return err as PayrailError;
}

describe('sandbox test cards', () => {
  it.each([
    ['4000000000000002', 'card_declined'],
    ['4000000000009995', 'insufficient_funds'],
    ['4000000000009987', 'lost_card'],
    ['4000000000009979', 'stolen_card'],
    ['4000000000000069', 'expired_card'],
    ['4000000000000127', 'incorrect_cvc'],
    ['4000000000000119', 'processing_error'],
  ])('%s declines with %s', (pan, code) => {
    const responseCode = sandboxResponseCode(pan);
    expect(responseCode).not.toBe(APPROVED);
    expect(declineCodeFor(responseCode)).toBe(code);
  });

  it.each([
    '4242424242424242',
    '5555555555554444',
    '2223003122003222',
    '378282246310005',
    '2200000000000004',
    '4012888888881881',
  ])('%s is approved', (pan) => {
    expect(sandboxResponseCode(pan)).toBe(APPROVED);
  });

  it('lists only its own answers', () => {
    for (const [pan, entry] of Object.entries(SANDBOX_TEST_CARDS))
      expect(sandboxResponseCode(pan)).toBe(entry.responseCode);
  });

  it('an unknown response code maps to card_declined, never to approval', () => {
    expect(declineCodeFor('ZZ')).toBe('card_declined');
    expect(declineCodeFor('toString')).toBe('card_declined');
  });
});

describe('SandboxAcquirer', () => {
  it('authorizes, or captures at once for a sale; stores no card number', async () => {
    const acq = new SandboxAcquirer();
    const auth = await acq.authorize(request());
    expect(auth).toMatchObject({
      status: 'authorized',
      amountAuthorized: 1_000,
      amountCaptured: 0,
      responseCode: '00',
    });
    expect(auth.ref).toMatch(/^sbx_[0-9a-f]{24}$/);
    const sale = await acq.authorize(request({ paymentId: 'pay_2', capture: true }));
    expect(sale).toMatchObject({ status: 'captured', amountCaptured: 1_000 });
    expect(JSON.stringify([...Object.values(auth), ...Object.values(sale)])).not.toContain(
      '4242424242424242',
    );
  });

  it('is idempotent for an approved payment, but lets a declined payment try again', async () => {
    const acq = new SandboxAcquirer();
    const first = await acq.authorize(request());
    expect((await acq.authorize(request())).ref).toBe(first.ref);
    const declined = await acq.authorize(request({ paymentId: 'pay_d', pan: '4000000000000002' }));
    expect(declined.status).toBe('declined');
    const retry = await acq.authorize(request({ paymentId: 'pay_d' }));
    expect(retry.status).toBe('authorized');
    expect(retry.ref).not.toBe(declined.ref);
    expect((await acq.find({ paymentId: 'pay_d' }))?.ref).toBe(retry.ref);
  });

  it('finds by reference or by payment id, and never across payments', async () => {
    const acq = new SandboxAcquirer();
    const a = await acq.authorize(request());
    expect(await acq.find({ ref: a.ref, paymentId: 'pay_1' })).toBe(a);
    expect(await acq.find({ ref: null, paymentId: 'pay_1' })).toBe(a);
    expect(await acq.find({ ref: a.ref, paymentId: 'pay_other' })).toBeUndefined();
    expect(await acq.find({ ref: 'sbx_nope', paymentId: 'pay_1' })).toBeUndefined();
  });

  it('captures partially up to the authorized amount; a second capture is a no-op', async () => {
    const acq = new SandboxAcquirer();
    const a = await acq.authorize(request());
    await rejected(acq.capture(a.ref, 1_001));
    expect((await acq.capture(a.ref, 700)).amountCaptured).toBe(700);
    expect((await acq.capture(a.ref, 1_000)).amountCaptured).toBe(700);
  });

  it('voids an authorization (twice is fine), but not a capture; no capture after a void', async () => {
    const acq = new SandboxAcquirer();
    const a = await acq.authorize(request());
    expect((await acq.void(a.ref)).status).toBe('voided');
    expect((await acq.void(a.ref)).status).toBe('voided');
    await rejected(acq.capture(a.ref, 1));
    const sale = await acq.authorize(request({ paymentId: 'pay_s', capture: true }));
    expect((await rejected(acq.void(sale.ref))).message).toMatch(/refund it instead/);
  });

  it('remembers the newest maxAuthorizations and refuses a forgotten reference as unknown', async () => {
    const acquirer = new SandboxAcquirer({ maxAuthorizations: 3 });
    const refs: string[] = [];
    for (let i = 1; i <= 5; i++)
      refs.push((await acquirer.authorize(request({ paymentId: `pay_${i}` }))).ref);
    // pay_1 and pay_2 are forgotten, by reference and by payment id; pay_3..pay_5 are kept
    expect(await acquirer.find({ paymentId: 'pay_1' })).toBeUndefined();
    expect(await acquirer.find({ ref: refs[1] as string, paymentId: 'pay_2' })).toBeUndefined();
    expect((await rejected(acquirer.capture(refs[0] as string, 1_000))).code).toBe(
      'PAYRAIL_ERR_PROVIDER_REJECTED',
    );
    for (let i = 3; i <= 5; i++)
      expect((await acquirer.find({ paymentId: `pay_${i}` }))?.ref).toBe(refs[i - 1]);
    expect((await acquirer.capture(refs[4] as string, 1_000)).status).toBe('captured');
    // a forgotten payment may be authorized afresh (a new reference), as for an unknown payment
    const again = await acquirer.authorize(request({ paymentId: 'pay_1' }));
    expect(again.ref).not.toBe(refs[0]);
  });

  it('refunds up to the captured amount, idempotently per refund id', async () => {
    const acq = new SandboxAcquirer();
    const sale = await acq.authorize(request({ capture: true }));
    const r1 = await acq.refund(sale.ref, 're_1', 600);
    expect(r1.refundRef).toMatch(/^sbxre_/);
    expect((await acq.refund(sale.ref, 're_1', 600)).refundRef).toBe(r1.refundRef);
    await rejected(acq.refund(sale.ref, 're_2', 401));
    await acq.refund(sale.ref, 're_2', 400);
    expect(sale.amountRefunded).toBe(1_000);
    await rejected(acq.refund(sale.ref, 're_3', 1));
  });

  it('refuses refunds of uncaptured payments and operations on unknown references', async () => {
    const acq = new SandboxAcquirer();
    const a = await acq.authorize(request());
    await rejected(acq.refund(a.ref, 're_1', 1));
    await rejected(acq.capture('sbx_unknown', 1));
    await rejected(acq.void('sbx_unknown'));
    await rejected(acq.refund('sbx_unknown', 're', 1));
  });
});
