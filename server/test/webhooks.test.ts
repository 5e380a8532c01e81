import type { WebhookRequest } from '@payrail/core';
import { fakeWebhookRequest } from '@payrail/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, FAKE_WEBHOOK_SECRET, inject, snapshot, type TestApp } from './helpers/test-app';

/** Provider notifications through POST /hooks/:plugin/:instance, with the testkit's fake provider. */
describe('provider webhooks', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  const deliver = (req: WebhookRequest, url = '/hooks/fake/default') =>
    inject(t.app, {
      method: 'POST',
      url,
      headers: Object.fromEntries(Object.entries(req.headers).filter(([, v]) => v !== undefined)) as Record<
        string,
        string
      >,
      payload: req.rawBody,
    });

  async function pendingPayment() {
    const m = await t.createMerchant();
    const created = await m.test.post('/v1/payments', {
      amount: 2500,
      currency: 'rub',
      method: 'fake',
      metadata: { fake_scenario: 'pending_then_webhook' },
    });
    expect(created.statusCode).toBe(201);
    expect(created.body.status).toBe('processing');
    return { m, id: created.body.id as string };
  }

  it('pending_then_webhook: a signed notification settles the payment; a repeat is a no-op', async () => {
    const { m, id } = await pendingPayment();
    const notification = t.fake.complete(id);
    const first = await deliver(notification);
    expect(first.statusCode).toBe(200);
    expect(first.rawBody).toBe('{"received":true}');
    const payment = await m.test.get(`/v1/payments/${id}`);
    expect(payment.body).toMatchObject({ status: 'succeeded', amount_captured: 2500 });

    const before = await snapshot(t.store, m.id);
    const again = await deliver(notification);
    expect(again.statusCode).toBe(200);
    expect(await snapshot(t.store, m.id)).toEqual(before);
    // A late notification with a new id but the same state changes nothing either.
    const late = await deliver(t.fake.webhookFor(id));
    expect(late.statusCode).toBe(200);
    expect(await snapshot(t.store, m.id)).toEqual(before);
  });

  it('a bad signature is rejected and writes nothing', async () => {
    const { m, id } = await pendingPayment();
    const notification = t.fake.complete(id);
    const before = await snapshot(t.store, m.id);
    const forged = await deliver({
      ...notification,
      headers: { ...notification.headers, 'x-fake-signature': 'ab'.repeat(32) },
    });
    expect(forged.statusCode).toBeGreaterThanOrEqual(400);
    expect(forged.statusCode).toBeLessThan(500);
    expect(forged.body.error.code).toBe('PAYRAIL_ERR_WEBHOOK_SIGNATURE');
    const unsigned = await deliver({ ...notification, headers: { 'content-type': 'application/json' } });
    expect(unsigned.statusCode).toBeGreaterThanOrEqual(400);
    // The body changed after signing: the signature no longer matches.
    const tampered = await deliver({
      ...notification,
      rawBody: Buffer.from(notification.rawBody.toString().replace('2500', '2499')),
    });
    expect(tampered.statusCode).toBeGreaterThanOrEqual(400);
    expect(await snapshot(t.store, m.id)).toEqual(before);
    expect((await m.test.get(`/v1/payments/${id}`)).body.status).toBe('processing');
  });

  it('a correctly signed notification with another amount is rejected and writes nothing', async () => {
    const { m, id } = await pendingPayment();
    t.fake.complete(id);
    const before = await snapshot(t.store, m.id);
    const wrongAmount = fakeWebhookRequest(FAKE_WEBHOOK_SECRET, {
      id: `evt_mismatch_${id}`,
      payment_id: id,
      status: 'succeeded',
      amount: 1,
      currency: 'RUB',
    });
    const r = await deliver(wrongAmount);
    expect(r.statusCode).toBeGreaterThanOrEqual(400);
    expect(r.body.error.code).toBe('PAYRAIL_ERR_WEBHOOK_MISMATCH');
    const wrongCurrency = fakeWebhookRequest(FAKE_WEBHOOK_SECRET, {
      id: `evt_mismatch2_${id}`,
      payment_id: id,
      status: 'succeeded',
      amount: 2500,
      currency: 'USD',
    });
    expect((await deliver(wrongCurrency)).body.error.code).toBe('PAYRAIL_ERR_WEBHOOK_MISMATCH');
    expect(await snapshot(t.store, m.id)).toEqual(before);
  });

  it('accepts any content type and passes the exact bytes through', async () => {
    const { id } = await pendingPayment();
    const notification = t.fake.complete(id);
    const asText = await deliver({
      ...notification,
      headers: { ...notification.headers, 'content-type': 'text/plain' },
    });
    expect(asText.statusCode).toBe(200);
    const form = await inject(t.app, {
      method: 'POST',
      url: '/hooks/fake/default',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'a=1&b=2',
    });
    // Parsed by the plugin, which rejects it — but as a 4xx answer of the provider protocol, not a 415.
    expect(form.statusCode).toBe(400);
    expect(form.body.error.code).toBe('PAYRAIL_ERR_WEBHOOK_SIGNATURE');
  });

  it('an unknown plugin or instance is a 404', async () => {
    for (const url of ['/hooks/nope/default', '/hooks/fake/other', '/hooks/cards/default']) {
      const r = await inject(t.app, {
        method: 'POST',
        url,
        headers: { 'content-type': 'application/json' },
        payload: '{}',
      });
      expect(r.statusCode, url).toBe(404);
      expect(r.body.error.code).toBe('PAYRAIL_ERR_PLUGIN_NOT_FOUND');
    }
  });
});
