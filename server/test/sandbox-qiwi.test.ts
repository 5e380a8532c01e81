import { signNotification } from '@payrail/plugin-qiwi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SandboxServer, startSandboxServer } from './helpers/sandbox-server';
import { STORE_KINDS } from './helpers/test-app';

/**
 * QIWI end to end through the server and its simulator (PAYRAIL_SIMULATORS=1), all over real HTTP:
 * create → redirect to the simulated pay form → pay → signed notification to /hooks/qiwi/sandbox →
 * succeeded → partial and full refunds through the simulated API. Also: bad signatures, amount
 * mismatches and duplicates change nothing.
 */
describe.each(STORE_KINDS)('QIWI in the sandbox on %s', (storeKind) => {
  let s: SandboxServer;
  let key: string;
  let liveKey: string;
  const hook = () => `${s.url}/hooks/qiwi/sandbox`;

  beforeAll(async () => {
    s = await startSandboxServer(storeKind);
    ({ key, liveKey } = await s.merchant());
  }, 180_000); // PGlite's first start is slow on a busy machine
  afterAll(async () => {
    await s?.close();
  });

  async function createPayment(amount = 10_050, idempotencyKey = `q-${Math.random()}`) {
    const created = await s.api('/v1/payments', {
      key,
      body: { amount, currency: 'RUB', method: 'qiwi_wallet', order_id: 'A-1', description: 'Чай' },
      headers: { 'idempotency-key': idempotencyKey },
    });
    expect(created.status).toBe(201);
    return created.body;
  }

  const payment = async (id: string) => (await s.api(`/v1/payments/${id}`, { key })).body;
  const events = async () =>
    (await s.api('/v1/events?limit=100', { key })).body.data.map((e: { id: string }) => e.id);

  async function postNotification(headers: Record<string, string>, body: string) {
    const res = await fetch(hook(), { method: 'POST', headers, body });
    return { status: res.status, body: await res.text() };
  }

  it('create → pay on the simulated form → signed notification → succeeded → partial and full refunds', async () => {
    const created = await createPayment();
    expect(created).toMatchObject({ status: 'requires_action', next_action: { type: 'redirect' } });
    const payUrl = new URL(created.next_action.url);
    expect(`${payUrl.origin}${payUrl.pathname}`).toBe(`${s.url}/_sim/qiwi/form`);
    expect(payUrl.searchParams.get('invoice_uid')).toBe(created.id);
    const bill = s.simulators.qiwi.bills.get(created.id)!;
    expect(bill.raw).toMatchObject({ amount: { currency: 'RUB', value: '100.50' }, comment: 'Чай' });

    // The checkout helper sends the browser to the pay form; the form shows the bill.
    const checkout = await fetch(`${s.url}/_sim/checkout/${created.id}`, { redirect: 'manual' });
    expect(checkout.status).toBe(303);
    expect(checkout.headers.get('location')).toBe(created.next_action.url);
    const page = await fetch(created.next_action.url);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const html = await page.text();
    expect(html).toContain('100.50 RUB');
    expect(html).toContain(`${s.url}/_sim/qiwi/form/pay`);

    // The buyer presses "Pay": QIWI notifies Payrail, then sends the buyer to successUrl.
    const successUrl = payUrl.searchParams.get('successUrl')!;
    const paid = await fetch(`${s.url}/_sim/qiwi/form/pay`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ invoice_uid: created.id, successUrl }).toString(),
      redirect: 'manual',
    });
    expect(paid.status).toBe(303);
    expect(paid.headers.get('location')).toBe(successUrl);
    const succeeded = await payment(created.id);
    expect(succeeded).toMatchObject({ status: 'succeeded', amount_captured: 10_050 });

    // A duplicate of the notification (QIWI retries) is answered {"error":"0"} and changes nothing.
    const before = await events();
    const again = await s.simulators.qiwi.deliver(created.id);
    expect(again).toMatchObject({ statusCode: 200, body: '{"error":"0"}' });
    expect((await payment(created.id)).status).toBe('succeeded');
    expect(await events()).toEqual(before);

    // Out of order: a REJECTED notification arriving after PAID (correctly signed) changes nothing.
    s.simulators.qiwi.setStatus(created.id, 'REJECTED');
    expect((await s.simulators.qiwi.deliver(created.id)).statusCode).toBe(200);
    s.simulators.qiwi.setStatus(created.id, 'PAID');
    expect((await payment(created.id)).status).toBe('succeeded');
    expect(await events()).toEqual(before);

    // Partial refund, then the rest: QIWI answers PARTIAL, then FULL; both are done refunds.
    const partial = await s.api(`/v1/payments/${created.id}/refunds`, {
      key,
      body: { amount: 2_525 },
      headers: { 'idempotency-key': `r1-${created.id}` },
    });
    expect(partial.body).toMatchObject({ status: 'succeeded', amount: 2_525 });
    expect(await payment(created.id)).toMatchObject({ status: 'partially_refunded', amount_refunded: 2_525 });
    const rest = await s.api(`/v1/payments/${created.id}/refunds`, {
      key,
      body: {},
      headers: { 'idempotency-key': `r2-${created.id}` },
    });
    expect(rest.body).toMatchObject({ status: 'succeeded', amount: 7_525 });
    expect(await payment(created.id)).toMatchObject({ status: 'refunded', amount_refunded: 10_050 });
    expect([...bill.refunds.values()].map((r) => [r.minor, r.status])).toEqual([
      [2_525, 'PARTIAL'],
      [7_525, 'FULL'],
    ]);
    const tooMuch = await s.api(`/v1/payments/${created.id}/refunds`, {
      key,
      body: { amount: 1 },
      headers: { 'idempotency-key': `r3-${created.id}` },
    });
    expect(tooMuch.status).toBeGreaterThanOrEqual(400);

    // An old PAID notification replayed after the refunds is a no-op.
    const settled = await events();
    expect((await s.simulators.qiwi.deliver(created.id)).statusCode).toBe(200);
    expect(await payment(created.id)).toMatchObject({ status: 'refunded', amount_refunded: 10_050 });
    expect(await events()).toEqual(settled);
  });

  it('a notification with a bad or missing signature is rejected and writes nothing', async () => {
    const created = await createPayment();
    s.simulators.qiwi.setStatus(created.id, 'PAID'); // what QIWI would sign, were the signature right
    const before = { payment: await payment(created.id), events: await events() };
    const good = s.simulators.qiwi.notification(created.id);
    const body = good.rawBody.toString();
    const forged = s.simulators.qiwi.notification(created.id, 'not-the-secret');
    const { 'x-api-signature-sha256': _sig, ...unsigned } = good.headers;
    for (const attempt of [
      await postNotification(forged.headers, forged.rawBody.toString()),
      await postNotification(unsigned, body),
      await postNotification(
        { ...good.headers, 'x-api-signature-sha256': good.headers['x-api-signature-sha256'].toUpperCase() },
        body,
      ),
      await postNotification(good.headers, body.replace('"100.50"', '"1.00"')),
    ]) {
      expect(attempt.status).toBe(401);
      expect(JSON.parse(attempt.body)).toEqual({ error: '1', description: 'PAYRAIL_ERR_WEBHOOK_SIGNATURE' });
    }
    expect(await payment(created.id)).toEqual(before.payment);
    expect(await events()).toEqual(before.events);
  });

  it('a correctly signed notification for another amount is rejected, logged as an alert, and writes nothing', async () => {
    const created = await createPayment();
    const before = { payment: await payment(created.id), events: await events() };
    const bill = {
      siteId: 'sandbox-site',
      billId: created.id,
      amount: { value: '1.00', currency: 'RUB' },
      status: { value: 'PAID', datetime: '2026-01-01T00:05:00' },
    };
    const signature = signNotification(
      { currency: 'RUB', amountValue: '1.00', billId: created.id, siteId: 'sandbox-site', status: 'PAID' },
      s.simulators.qiwi.secretKey,
    );
    const answer = await postNotification(
      { 'content-type': 'application/json', 'x-api-signature-sha256': signature },
      JSON.stringify({ bill, version: '1' }),
    );
    expect(answer.status).not.toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({
      error: '1',
      description: 'PAYRAIL_ERR_WEBHOOK_MISMATCH',
    });
    expect(s.logs).toContainEqual(
      expect.objectContaining({
        level: 'error',
        obj: expect.objectContaining({ alert: 'webhook_amount_mismatch', paymentId: created.id }),
      }),
    );
    expect(await payment(created.id)).toEqual(before.payment);
    expect(await events()).toEqual(before.events);

    // Correctly signed, but for a bill Payrail never issued: refused (QIWI will retry), nothing written.
    const unknownId = 'pay_01JUNKNOWNBILL000000000000';
    const unknown = await postNotification(
      {
        'content-type': 'application/json',
        'x-api-signature-sha256': signNotification(
          {
            currency: 'RUB',
            amountValue: '100.50',
            billId: unknownId,
            siteId: 'sandbox-site',
            status: 'PAID',
          },
          s.simulators.qiwi.secretKey,
        ),
      },
      JSON.stringify({
        bill: { ...bill, billId: unknownId, amount: { value: '100.50', currency: 'RUB' } },
        version: '1',
      }),
    );
    expect(unknown.status).not.toBe(200);
    expect(JSON.parse(unknown.body)).toMatchObject({ error: '1', description: 'PAYRAIL_ERR_NOT_FOUND' });
    expect(await events()).toEqual(before.events);
  });

  it('"Decline" on the form rejects the bill; the notification cancels the payment', async () => {
    const created = await createPayment(500);
    const declined = await fetch(`${s.url}/_sim/qiwi/form/decline`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: `invoice_uid=${created.id}`,
    });
    expect(await declined.json()).toMatchObject({ status: 'REJECTED', notification: { statusCode: 200 } });
    expect(await payment(created.id)).toMatchObject({ status: 'canceled' });
    // A bill that is no longer waiting cannot be paid afterwards.
    expect((await s.simulators.qiwi.pay(created.id)).status).toBe('REJECTED');
    expect(await payment(created.id)).toMatchObject({ status: 'canceled' });
  });

  it('a refund of an unpaid QIWI payment is refused before any provider call', async () => {
    const created = await createPayment(700);
    const refused = await s.api(`/v1/payments/${created.id}/refunds`, {
      key,
      body: {},
      headers: { 'idempotency-key': `r-${created.id}` },
    });
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('PAYRAIL_ERR_INVALID_STATE_TRANSITION');
    expect(s.simulators.qiwi.bills.get(created.id)!.refunds.size).toBe(0);
  });

  it('a live-mode payment is refused by the simulated provider before any call', async () => {
    const bills = s.simulators.qiwi.bills.size;
    const created = await s.api('/v1/payments', {
      key: liveKey,
      body: { amount: 1000, currency: 'RUB', method: 'qiwi_wallet' },
      headers: { 'idempotency-key': `live-${Math.random()}` },
    });
    expect(created.status).toBe(422);
    expect(created.body.error).toMatchObject({
      code: 'PAYRAIL_ERR_METHOD_UNAVAILABLE',
      message: expect.stringMatching(/test-mode payments only/),
    });
    expect(s.simulators.qiwi.bills.size).toBe(bills);
  });
});
