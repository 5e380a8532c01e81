import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SandboxServer, startSandboxServer } from './helpers/sandbox-server';
import { STORE_KINDS } from './helpers/test-app';

/**
 * WebMoney end to end through the server and its simulator (PAYRAIL_SIMULATORS=1), over real HTTP:
 * create → the browser posts the LMI_* form to the simulated payment page → pay → pre-request (YES) →
 * payment notification signed with LMI_HASH and LMI_HASH2 to /hooks/webmoney/sandbox → succeeded.
 * Refunds answer PAYRAIL_ERR_REFUND_NOT_SUPPORTED; bad hashes, amount mismatches and duplicates change nothing.
 */
describe.each(STORE_KINDS)('WebMoney in the sandbox on %s', (storeKind) => {
  let s: SandboxServer;
  let key: string;
  const hook = () => `${s.url}/hooks/webmoney/sandbox`;

  beforeAll(async () => {
    s = await startSandboxServer(storeKind);
    key = (await s.merchant()).key;
  }, 180_000); // PGlite's first start is slow on a busy machine
  afterAll(async () => {
    await s?.close();
  });

  async function createPayment(amount = 1_465) {
    const created = await s.api('/v1/payments', {
      key,
      body: {
        amount,
        currency: 'USD',
        method: 'webmoney',
        order_id: '7',
        description: 'Order 7',
        return_url: 'https://shop.example/return',
      },
      headers: { 'idempotency-key': `wm-${Math.random()}` },
    });
    expect(created.status).toBe(201);
    return created.body;
  }

  const payment = async (id: string) => (await s.api(`/v1/payments/${id}`, { key })).body;
  const events = async () =>
    (await s.api('/v1/events?limit=100', { key })).body.data.map((e: { id: string }) => e.id);
  const snapshot = async (id: string) => ({ payment: await payment(id), events: await events() });

  /** What the buyer's browser does with a form_post next action (asking the simulator for JSON). */
  async function openForm(created: { next_action: { url: string; fields: Record<string, string> } }) {
    const res = await fetch(created.next_action.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams(created.next_action.fields).toString(),
    });
    expect(res.status).toBe(200);
    return (await res.json()) as { session: string; pay: { url: string }; decline: { url: string } };
  }

  async function notify(fields: Record<string, string>) {
    const res = await fetch(hook(), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
    return { status: res.status, body: await res.text() };
  }

  it('create → form post → pay → pre-request YES → signed notification → succeeded; refunds are not supported', async () => {
    const created = await createPayment();
    expect(created).toMatchObject({
      status: 'requires_action',
      next_action: {
        type: 'form_post',
        url: `${s.url}/_sim/webmoney/lmi/payment_utf.asp`,
        fields: {
          LMI_PAYEE_PURSE: 'Z100000000001',
          LMI_PAYMENT_AMOUNT: '14.65',
          LMI_SIM_MODE: '0',
          LMI_RESULT_URL: hook(),
          PAYRAIL_PAYMENT_ID: created.id,
        },
      },
    });

    // In a browser: the checkout helper auto-posts the form; the simulated page shows the payment.
    const checkout = await (await fetch(`${s.url}/_sim/checkout/${created.id}`)).text();
    expect(checkout).toContain(`action="${s.url}/_sim/webmoney/lmi/payment_utf.asp"`);
    expect(checkout).toContain(`value="${created.next_action.fields.LMI_PAYMENT_NO}"`);
    const page = await fetch(created.next_action.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(created.next_action.fields).toString(),
    });
    expect(await page.text()).toContain('14.65 USD');

    // The curl way: the checkout helper posts the form as the browser would and answers the page as JSON.
    const opened = await s.api(`/_sim/checkout/${created.id}`, { method: 'POST' });
    expect(opened.body).toMatchObject({ provider: 'webmoney', amount: '14.65', currency: 'USD' });

    const paid = await fetch(opened.body.pay.url, {
      method: 'POST',
      headers: { accept: 'application/json' },
    });
    const result = await paid.json();
    expect(result).toMatchObject({
      outcome: 'paid',
      prerequest: { statusCode: 200, body: 'YES' },
      notification: { statusCode: 200, body: 'YES' },
      redirect: { url: 'https://shop.example/return', method: 'LINK' },
    });
    const succeeded = await payment(created.id);
    expect(succeeded).toMatchObject({ status: 'succeeded', amount_captured: 1_465 });

    // The duplicate of the signed notification is answered YES and changes nothing.
    const session = s.simulators.webmoney.sessions.get(opened.body.session)!;
    const before = await snapshot(created.id);
    expect(await notify(s.simulators.webmoney.notificationFields(session))).toEqual({
      status: 200,
      body: 'YES',
    });
    expect(await snapshot(created.id)).toEqual(before);

    // A pre-request for the paid order is refused: WebMoney must not take the money twice.
    const pre = await notify(s.simulators.webmoney.preRequestFields(session));
    expect(pre.body).toMatch(/^NO PAYRAIL_ERR_INVALID_STATE_TRANSITION/);

    // WebMoney Merchant has no refund interface: a clear error, nothing reserved or written.
    const refund = await s.api(`/v1/payments/${created.id}/refunds`, {
      key,
      body: { amount: 100 },
      headers: { 'idempotency-key': `wm-r-${created.id}` },
    });
    expect(refund.status).toBe(422);
    expect(refund.body.error).toMatchObject({
      code: 'PAYRAIL_ERR_REFUND_NOT_SUPPORTED',
      details: { reason: 'refund_not_supported', provider: 'webmoney' },
    });
    expect(refund.body.error.message).toMatch(/WebMoney/);
    expect((await s.api(`/v1/payments/${created.id}/refunds`, { key })).body.data).toEqual([]);
    expect(await snapshot(created.id)).toEqual(before);
  });

  it('the buyer pays in a browser: the simulator redirects back to the shop (LMI_SUCCESS_METHOD=LINK)', async () => {
    const created = await createPayment(250);
    const { pay } = await openForm(created);
    const res = await fetch(pay.url, { method: 'POST', redirect: 'manual' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('https://shop.example/return');
    expect(await payment(created.id)).toMatchObject({ status: 'succeeded', amount_captured: 250 });
  });

  it('a notification with a bad, missing or wrong-key LMI_HASH is rejected and writes nothing', async () => {
    const created = await createPayment();
    const opened = await openForm(created);
    const session = s.simulators.webmoney.sessions.get(opened.session)!;
    // What WebMoney would have sent had the buyer paid (the simulator's counters, its date).
    Object.assign(session, { invsNo: '900001', transNo: '900002', transDate: '20260101 12:00:00' });
    const good = s.simulators.webmoney.notificationFields(session);
    const before = await snapshot(created.id);
    const { LMI_HASH: _h, ...noHash } = good;
    for (const fields of [
      noHash,
      { ...good, LMI_HASH: '0'.repeat(64) },
      s.simulators.webmoney.notificationFields(session, 'not-the-secret'),
      { ...good, LMI_PAYMENT_AMOUNT: '1.00' },
      { ...good, LMI_HASH2: '0'.repeat(64) },
    ]) {
      const answer = await notify(fields);
      expect(answer.body).toMatch(/^NO PAYRAIL_ERR_WEBHOOK_SIGNATURE/);
    }
    expect(await snapshot(created.id)).toEqual(before);
    session.status = 'failed';
  });

  it('a correctly signed notification for another amount is rejected, logged as an alert, and writes nothing', async () => {
    const created = await createPayment();
    const opened = await openForm(created);
    const session = s.simulators.webmoney.sessions.get(opened.session)!;
    const forged = {
      ...session,
      amount: '1.00',
      invsNo: '900003',
      transNo: '900004',
      transDate: '20260101 12:00:00',
    };
    const before = await snapshot(created.id);
    const answer = await notify(s.simulators.webmoney.notificationFields(forged));
    expect(answer.body).toMatch(/^NO PAYRAIL_ERR_WEBHOOK_MISMATCH/);
    expect(s.logs).toContainEqual(
      expect.objectContaining({
        level: 'error',
        obj: expect.objectContaining({ alert: 'webhook_amount_mismatch', paymentId: created.id }),
      }),
    );
    expect(await snapshot(created.id)).toEqual(before);
  });

  it('"Decline" sends the buyer to the fail URL with no notification; the payment still awaits payment', async () => {
    const created = await createPayment();
    const { decline } = await openForm(created);
    const res = await fetch(decline.url, { method: 'POST', redirect: 'manual' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('https://shop.example/return');
    expect(await payment(created.id)).toMatchObject({ status: 'requires_action' });
  });

  it('status sync asks the simulated X18: a paid order whose notification was lost becomes succeeded', async () => {
    const created = await createPayment(333);
    const opened = await openForm(created);
    const session = s.simulators.webmoney.sessions.get(opened.session)!;
    // Paid at WebMoney, but the Result URL was never reached (only X18 knows).
    Object.assign(session, {
      status: 'paid',
      invsNo: '900005',
      transNo: '900006',
      transDate: '20260101 12:00:00',
    });
    const synced = await s.services.orchestrator.syncPayment({ paymentId: created.id });
    expect(synced).toMatchObject({ status: 'succeeded', amountCaptured: 333 });
    expect(synced.provider?.paymentRef).toBe('900006');
  });
});
