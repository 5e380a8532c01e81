/**
 * Regression (found by server/test/reliability/provider-faults.test.ts): a bill creation that never
 * reached QIWI (a timeout, 5xx or reset before QIWI acted) left the payment `processing` for good —
 * every sync answered "no such bill" (PAYRAIL_ERR_PROVIDER_REJECTED), which the sync and reconciliation
 * jobs only retry. syncPayment now creates the bill again when QIWI has none and never confirmed one.
 */
import {
  createPluginRegistry,
  createUndiciHttpClient,
  type HttpClient,
  ManualClock,
  newId,
  type PaymentProvider,
  type ProviderPaymentView,
  silentLogger,
} from '@payrail/core';
import { type MswLoopbackServer, serveMswHandlers } from '@payrail/testkit';
import { HttpResponse, http } from 'msw';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { qiwi } from '../src';
import { QiwiSimulator } from './simulator';

const SITE = 'site-1';
const SECRET = 'secret-1';
const clock = new ManualClock(Date.UTC(2026, 0, 1, 12, 0, 0));
const sim = new QiwiSimulator(SITE, SECRET, { now: () => clock.now() });
let server: MswLoopbackServer;
let httpClient: HttpClient;
let provider: PaymentProvider;

beforeAll(async () => {
  server = await serveMswHandlers(sim.handlers());
  httpClient = createUndiciHttpClient({ timeoutMs: 10_000 }); // generous: a loaded CI machine can be slow
  const plugin = qiwi({ siteId: SITE, secretKey: SECRET, publicKey: 'pk-1', apiBaseUrl: server.origin });
  const registry = await createPluginRegistry([plugin], {
    logger: silentLogger,
    clock,
    http: httpClient,
    publicUrl: 'https://payrail.test',
  });
  provider = registry.provider('qiwi', plugin.instanceId)!.provider;
});
afterEach(() => server.resetHandlers());
afterAll(async () => {
  await httpClient.close();
  await server.close();
});

const paymentView = (): ProviderPaymentView => ({
  id: newId('payment'),
  merchantId: 'mer_01J00000000000000000000000',
  mode: 'test',
  amount: 12_345,
  currency: 'RUB',
  captureMethod: 'automatic',
  orderId: 'order-1',
  description: 'Order #1',
  customer: null,
  returnUrl: 'https://shop.example/return',
  metadata: {},
  paymentRef: null,
});

describe('syncPayment after a bill creation that never reached QIWI', () => {
  it('creates the bill again (same billId, same amount) and answers requires_action', async () => {
    const payment = paymentView();
    // QIWI answers 503 without creating anything: the outcome is unknown to the plugin.
    server.use(http.put('*/partner/bill/v1/bills/:billId', () => new HttpResponse('busy', { status: 503 })));
    await expect(
      provider.createPayment({ payment, returnUrl: 'https://payrail.test/r' }),
    ).rejects.toMatchObject({
      outcomeUnknown: true,
    });
    server.resetHandlers();
    expect(sim.bills.has(payment.id)).toBe(false);

    const outcome = await provider.syncPayment({ payment });
    expect(outcome).toMatchObject({ status: 'requires_action', paymentRef: payment.id });
    expect(sim.bills.get(payment.id)?.raw).toMatchObject({ amount: { currency: 'RUB', value: '123.45' } });
    // The GET that found nothing, then the PUT of the same bill.
    expect(server.requests.slice(-2).map((r) => `${r.method} ${r.url}`)).toEqual([
      `GET /partner/bill/v1/bills/${payment.id}`,
      `PUT /partner/bill/v1/bills/${payment.id}`,
    ]);

    // The original request arriving late changes nothing (PUT is idempotent per billId); once paid,
    // sync reads the bill and creates nothing.
    sim.setStatus(payment.id, 'PAID');
    await provider.createPayment({ payment, returnUrl: 'https://payrail.test/r' });
    expect(await provider.syncPayment({ payment })).toEqual({ status: 'succeeded', paymentRef: payment.id });
    expect(server.requests.at(-1)?.method).toBe('GET');
  });

  it('a bill QIWI once confirmed (paymentRef) and no longer has is still an error, not re-created', async () => {
    const payment = { ...paymentView(), paymentRef: 'bill-gone' };
    await expect(provider.syncPayment({ payment })).rejects.toMatchObject({
      code: 'PAYRAIL_ERR_PROVIDER_REJECTED',
    });
    expect(server.requests.at(-1)?.method).toBe('GET');
    expect(sim.bills.has('bill-gone')).toBe(false);
  });

  it('a failing re-creation keeps its outcome unknown (the jobs retry later)', async () => {
    const payment = paymentView();
    server.use(http.put('*/partner/bill/v1/bills/:billId', () => new HttpResponse('busy', { status: 502 })));
    await expect(provider.syncPayment({ payment })).rejects.toMatchObject({
      code: 'PAYRAIL_ERR_PROVIDER_UNAVAILABLE',
      outcomeUnknown: true,
    });
    expect(sim.bills.has(payment.id)).toBe(false);
  });
});
