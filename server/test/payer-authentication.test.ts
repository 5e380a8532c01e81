import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardPayload, createTestApp, PUBLIC_URL, type TestApp, type TestMerchant } from './helpers/test-app';

const ENROLLED = '4000000000003220';

/** Payer authentication through the HTTP API: requires_action → /pay/:id/verify → authorized or failed. */
describe('payer authentication (sandbox issuer) over HTTP', () => {
  let t: TestApp;
  let m: TestMerchant;
  beforeAll(async () => {
    t = await createTestApp();
    m = await t.createMerchant();
  });
  afterAll(async () => {
    await t?.close();
  });

  async function challengedPayment(body: Record<string, unknown> = {}) {
    const created = await m.test.post('/v1/payments', {
      amount: 4200,
      currency: 'EUR',
      method: 'card',
      ...body,
    });
    const id = created.body.id as string;
    const paid = await t.anonymous.post(`/pay/${id}`, cardPayload(ENROLLED));
    expect(paid.statusCode, paid.rawBody).toBe(200);
    expect(paid.body).toMatchObject({
      status: 'requires_action',
      next_action: { type: 'redirect', url: `${PUBLIC_URL}/pay/${id}/verify` },
    });
    return id;
  }

  it('the right code continues the authorization; the result is on the payment', async () => {
    const id = await challengedPayment({ capture_method: 'manual' });
    const page = await t.anonymous.get(`/pay/${id}/verify`);
    expect(page.body).toMatchObject({
      object: 'verification',
      state: 'pending',
      attempts_left: 3,
      payment: { id, status: 'requires_action' },
    });
    // Paying again while the challenge waits is refused.
    const again = await t.anonymous.post(`/pay/${id}`, cardPayload());
    expect(again.statusCode).toBe(422);
    expect(again.body.error.code).toBe('PAYRAIL_ERR_INVALID_STATE_TRANSITION');

    const wrong = await t.anonymous.post(`/pay/${id}/verify`, { code: '000000' });
    expect(wrong.statusCode).toBe(422);
    expect(wrong.body.error).toMatchObject({
      code: 'PAYRAIL_ERR_VERIFICATION_CODE_WRONG',
      param: 'code',
      details: { attempts_left: 2 },
    });
    const right = await t.anonymous.post(`/pay/${id}/verify`, { code: '123456' });
    expect(right.statusCode, right.rawBody).toBe(200);
    expect(right.body).toMatchObject({ status: 'authorized', card: { last4: '3220' } });

    const merchantView = await m.test.get(`/v1/payments/${id}`);
    expect(merchantView.body.card).toMatchObject({ last4: '3220', authentication: 'authenticated' });
    // A settled challenge answers its state; it cannot be answered again into anything else.
    expect((await t.anonymous.get(`/pay/${id}/verify`)).body.state).toBe('authenticated');
    const captured = await m.test.post(`/v1/payments/${id}/capture`, {});
    expect(captured.body.status).toBe('succeeded');
  });

  it('three wrong codes fail the payment with authentication_failed', async () => {
    const id = await challengedPayment();
    for (const left of [2, 1]) {
      const wrong = await t.anonymous.post(`/pay/${id}/verify`, { code: '999999' });
      expect(wrong.body.error.details).toEqual({ attempts_left: left });
    }
    const third = await t.anonymous.post(`/pay/${id}/verify`, { code: '999999' });
    expect(third.statusCode).toBe(200);
    expect(third.body).toMatchObject({ status: 'failed', decline: { code: 'authentication_failed' } });
    const late = await t.anonymous.post(`/pay/${id}/verify`, { code: '123456' });
    expect(late.body.status).toBe('failed');
    const merchantView = await m.test.get(`/v1/payments/${id}`);
    expect(merchantView.body).toMatchObject({
      status: 'failed',
      decline: { code: 'authentication_failed' },
      card: { authentication: 'failed' },
    });
  });

  it('cards outside enrolled ranges are not_enrolled; unknown challenges are 404; bad codes are 400', async () => {
    const created = await m.test.post('/v1/payments', { amount: 100, currency: 'EUR', method: 'card' });
    const paid = await t.anonymous.post(`/pay/${created.body.id}`, cardPayload());
    expect(paid.body.status).toBe('succeeded');
    expect((await m.test.get(`/v1/payments/${created.body.id}`)).body.card.authentication).toBe(
      'not_enrolled',
    );
    expect((await t.anonymous.get(`/pay/${created.body.id}/verify`)).statusCode).toBe(404);
    expect((await t.anonymous.post('/pay/pay_nope/verify', { code: '123456' })).statusCode).toBe(404);
    const id = await challengedPayment();
    const malformed = await t.anonymous.post(`/pay/${id}/verify`, { code: '12ab' });
    expect(malformed.statusCode).toBe(400);
    // A malformed code uses up no attempt.
    expect((await t.anonymous.get(`/pay/${id}/verify`)).body.attempts_left).toBe(3);
  });
});
