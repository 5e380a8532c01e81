import {
  createPluginRegistry,
  createUndiciHttpClient,
  DEFAULT_TARIFF,
  newId,
  Orchestrator,
  type Store,
  silentLogger,
  systemClock,
} from '@payrail/core';
import { createEmbeddedTestStore } from '@payrail/store-postgres/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webmoney } from '../src';
import { encode, notificationFields, preRequestFields, SECRET, USD_PURSE } from './fixtures';

/**
 * The plugin inside the real orchestrator on the embedded store (PGlite): what the server's
 * POST /hooks/webmoney/:instance does with the answers of parse() and respond().
 */
const http = createUndiciHttpClient();
let store: Store & { close(): Promise<void> };
let orchestrator: Orchestrator;
let merchantId: string;

beforeAll(async () => {
  const embedded = await createEmbeddedTestStore({ poolSize: 1 });
  await embedded.migrate();
  store = embedded;
  const registry = await createPluginRegistry(
    [webmoney({ instanceId: 'shop', purses: { USD: USD_PURSE }, secretKey: SECRET })],
    { logger: silentLogger, clock: systemClock, http, publicUrl: 'https://payrail.test' },
  );
  orchestrator = new Orchestrator({
    store,
    registry,
    clock: systemClock,
    logger: silentLogger,
    publicUrl: 'https://payrail.test',
  });
  merchantId = newId('merchant');
  await store.merchants.create({
    merchant: {
      id: merchantId,
      name: 'Shop',
      email: 'shop@shop.test',
      tariff: DEFAULT_TARIFF,
      providerRoutes: {},
      createdAt: new Date(),
    },
    apiKeys: [],
  });
}, 60_000);

afterAll(async () => {
  await store?.close();
  await http.close();
});

const hook = (fields: Record<string, string>) =>
  orchestrator.handleWebhook({
    pluginId: 'webmoney',
    instanceId: 'shop',
    request: { headers: {}, query: {}, rawBody: encode(fields) },
  });

const newPayment = () =>
  orchestrator.createPayment({
    scope: { merchantId, mode: 'live' },
    request: { amount: 1465, currency: 'USD', method: 'webmoney', description: 'Order 7' },
  });

describe('webmoney through the orchestrator', () => {
  it('createPayment leaves the payment in requires_action with the WebMoney form', async () => {
    const payment = await newPayment();
    expect(payment.status).toBe('requires_action');
    expect(payment.nextAction).toMatchObject({
      type: 'form_post',
      url: 'https://merchant.webmoney.ru/lmi/payment_utf.asp',
      fields: { LMI_PAYMENT_AMOUNT: '14.65', PAYRAIL_PAYMENT_ID: payment.id },
    });
  });

  it('pre-request: YES for an existing payment with the right amount; another text otherwise; no change', async () => {
    const payment = await newPayment();
    const ok = await hook(preRequestFields({ paymentId: payment.id, amount: '14.65' }));
    expect(ok.response.body).toBe('YES');
    const wrongAmount = await hook(preRequestFields({ paymentId: payment.id, amount: '14.64' }));
    expect(wrongAmount.result).toBe('rejected');
    expect(wrongAmount.response.body).toMatch(/^NO PAYRAIL_ERR_WEBHOOK_MISMATCH/);
    const unknown = await hook(
      preRequestFields({ paymentId: 'pay_01JUNKNOWN0000000000000000', amount: '14.65' }),
    );
    expect(unknown.response.body).toMatch(/^NO PAYRAIL_ERR_NOT_FOUND/);
    const stored = await store.payments.getById({ id: payment.id });
    expect(stored?.status).toBe('requires_action');
    expect(stored?.version).toBe(payment.version);
  });

  it('pre-request for a payment that is already paid is answered NO (WebMoney must not take it twice)', async () => {
    const payment = await newPayment();
    const paid = await hook(notificationFields({ paymentId: payment.id, amount: '14.65', transNo: '70100' }));
    expect(paid.result).toBe('applied');
    const again = await hook(preRequestFields({ paymentId: payment.id, amount: '14.65' }));
    expect(again.result).toBe('rejected');
    expect(again.response.body).toMatch(/^NO PAYRAIL_ERR_INVALID_STATE_TRANSITION/);
  });

  it('payment notification: applied once, the repeat is a duplicate no-op', async () => {
    const payment = await newPayment();
    const fields = notificationFields({ paymentId: payment.id, amount: '14.65', transNo: '70001' });
    const first = await hook(fields);
    expect(first).toMatchObject({ result: 'applied', response: { body: 'YES' } });
    expect(first.payment).toMatchObject({ status: 'succeeded', amountCaptured: 1465 });
    expect(first.payment?.provider?.paymentRef).toBe('70001');
    const again = await hook(fields);
    expect(['duplicate', 'ignored']).toContain(again.result);
    expect((await store.payments.getById({ id: payment.id }))?.version).toBe(first.payment?.version);
  });

  it('a signed notification with another amount is rejected and changes nothing', async () => {
    const payment = await newPayment();
    const result = await hook(
      notificationFields({ paymentId: payment.id, amount: '1.00', transNo: '70002' }),
    );
    expect(result.result).toBe('rejected');
    expect(result.error?.code).toBe('PAYRAIL_ERR_WEBHOOK_MISMATCH');
    expect((await store.payments.getById({ id: payment.id }))?.status).toBe('requires_action');
  });

  it('a badly signed notification is rejected', async () => {
    const payment = await newPayment();
    const result = await hook(
      notificationFields({ paymentId: payment.id, amount: '14.65', secret: 'guess' }),
    );
    expect(result.error?.code).toBe('PAYRAIL_ERR_WEBHOOK_SIGNATURE');
    expect((await store.payments.getById({ id: payment.id }))?.status).toBe('requires_action');
  });
});
