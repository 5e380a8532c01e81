import {
  createPluginRegistry,
  createUndiciHttpClient,
  type HttpClient,
  type Logger,
  ManualClock,
  newId,
  type PaymentProvider,
  type ProviderPaymentView,
  silentLogger,
} from '@payrail/core';
import { type MswLoopbackServer, serveMswHandlers } from '@payrail/testkit';
import { delay, HttpResponse, http } from 'msw';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { qiwi } from '../src';
import { QiwiSimulator } from './simulator';

const SITE = 'site-1';
const SECRET = 'secret-1';
const clock = new ManualClock(Date.UTC(2026, 0, 1, 12, 0, 0));
const sim = new QiwiSimulator(SITE, SECRET, { now: () => clock.now() });
let server: MswLoopbackServer;
let httpClient: HttpClient;

beforeAll(async () => {
  server = await serveMswHandlers(sim.handlers());
  // Generous for every call: a loaded CI machine once took more than 500 ms to answer a bill PUT. The two
  // timeout tests set the plugin's own short `timeoutMs` instead.
  httpClient = createUndiciHttpClient({ timeoutMs: 10_000 });
});
afterEach(() => server.resetHandlers());
afterAll(async () => {
  await httpClient.close();
  await server.close();
});

async function start(
  options: Record<string, unknown> = {},
  logger: Logger = silentLogger,
): Promise<PaymentProvider> {
  const plugin = qiwi({
    siteId: SITE,
    secretKey: SECRET,
    publicKey: 'pk-1',
    apiBaseUrl: server.origin,
    ...options,
  } as Parameters<typeof qiwi>[0]);
  const registry = await createPluginRegistry([plugin], {
    logger,
    clock,
    http: httpClient,
    publicUrl: 'https://payrail.test',
  });
  return registry.provider('qiwi', plugin.instanceId)!.provider;
}

function paymentView(overrides: Partial<ProviderPaymentView> = {}): ProviderPaymentView {
  return {
    id: newId('payment'),
    merchantId: 'mer_01J00000000000000000000000',
    mode: 'test',
    amount: 1000,
    currency: 'RUB',
    captureMethod: 'automatic',
    orderId: 'order-1',
    description: 'Order #1',
    customer: { email: 'buyer@example.com', phone: '+79000000000' },
    returnUrl: 'https://shop.example/return',
    metadata: {},
    paymentRef: null,
    ...overrides,
  };
}

const RETURN = 'https://payrail.test/pay/x/return';

async function created(provider: PaymentProvider, overrides: Partial<ProviderPaymentView> = {}) {
  const payment = paymentView(overrides);
  const outcome = await provider.createPayment({ payment, returnUrl: RETURN });
  return { payment: { ...payment, paymentRef: outcome.paymentRef ?? null }, outcome };
}

describe('createPayment', () => {
  it('PUTs the bill exactly as the protocol says and answers a redirect to payUrl + successUrl', async () => {
    const provider = await start({ themeCode: 'Theme-1' });
    const { payment, outcome } = await created(provider);
    const req = server.requests.at(-1)!;
    expect(req.method).toBe('PUT');
    expect(req.url).toBe(`/partner/bill/v1/bills/${payment.id}`);
    expect(req.headers.authorization).toBe(`Bearer ${SECRET}`);
    expect(req.headers.accept).toBe('application/json');
    expect(req.headers['content-type']).toBe('application/json');
    expect(JSON.parse(req.body)).toEqual({
      amount: { currency: 'RUB', value: '10.00' },
      comment: 'Order #1',
      expirationDateTime: '2026-01-01T12:45:00+00:00',
      customer: { email: 'buyer@example.com', phone: '+79000000000' },
      customFields: { apiClient: 'payrail', apiClientVersion: '0.1.0', themeCode: 'Theme-1' },
    });
    expect(outcome.status).toBe('requires_action');
    expect(outcome.paymentRef).toBe(payment.id);
    if (outcome.status !== 'requires_action') throw new Error('unreachable');
    expect(outcome.nextAction.type).toBe('redirect');
    const url = new URL((outcome.nextAction as { url: string }).url);
    expect(url.origin).toBe('https://oplata.qiwi.com');
    expect(url.searchParams.get('successUrl')).toBe(RETURN);
  });

  it('uses the configured bill lifetime', async () => {
    const provider = await start({ billLifetimeMinutes: 60 * 24 });
    await created(provider);
    expect(JSON.parse(server.requests.at(-1)!.body).expirationDateTime).toBe('2026-01-02T12:00:00+00:00');
  });

  it('refuses a currency QIWI does not bill in, before any call', async () => {
    const provider = await start();
    await expect(created(provider, { currency: 'USD' })).rejects.toMatchObject({
      code: 'PAYRAIL_ERR_METHOD_UNAVAILABLE',
    });
    expect(server.requests).toHaveLength(0);
  });

  it('a wrong secret key is a configuration error (PAYRAIL_ERR_PROVIDER_AUTH), not a decline; it is never logged', async () => {
    const logged: unknown[] = [];
    const record = (...args: unknown[]) => logged.push(args);
    const logger: Logger = {
      debug: record,
      info: record,
      warn: record,
      error: record,
      child: () => logger,
    };
    const provider = await start({ secretKey: 'wrong-secret-key-xyz' }, logger);
    const err = await created(provider).catch((e) => e);
    expect(err).toMatchObject({ code: 'PAYRAIL_ERR_PROVIDER_AUTH', category: 'configuration' });
    expect(err.details).toMatchObject({ httpStatus: 401, providerCode: 'auth.unauthorized' });
    expect(JSON.stringify(err)).not.toContain('wrong-secret-key-xyz');
    expect(err.message).not.toContain('wrong-secret-key-xyz');
    expect(JSON.stringify(logged)).not.toContain('wrong-secret-key-xyz');
  });

  it('a timeout after sending propagates as outcome unknown, never guessed', async () => {
    const provider = await start({ timeoutMs: 300 });
    server.use(
      http.put('*/partner/bill/v1/bills/:billId', async () => {
        await delay(2_000);
        return HttpResponse.json({});
      }),
    );
    await expect(created(provider)).rejects.toMatchObject({
      code: 'PAYRAIL_ERR_PROVIDER_TIMEOUT',
      outcomeUnknown: true,
    });
  });

  it('a connection broken after sending is a PayrailError with outcome unknown', async () => {
    const provider = await start();
    server.use(http.put('*/partner/bill/v1/bills/:billId', () => HttpResponse.error()));
    const err = await created(provider).catch((e) => e);
    expect(err.name).toBe('PayrailError');
    expect(err.outcomeUnknown).toBe(true);
  });

  it('a 500 on create is unavailable with outcome unknown; a non-JSON 200 too', async () => {
    const provider = await start();
    server.use(http.put('*/partner/bill/v1/bills/:billId', () => new HttpResponse('oops', { status: 500 })));
    await expect(created(provider)).rejects.toMatchObject({
      code: 'PAYRAIL_ERR_PROVIDER_UNAVAILABLE',
      outcomeUnknown: true,
    });
    server.resetHandlers();
    server.use(
      http.put('*/partner/bill/v1/bills/:billId', () => new HttpResponse('<html>', { status: 200 })),
    );
    await expect(created(provider)).rejects.toMatchObject({
      code: 'PAYRAIL_ERR_PROVIDER_UNAVAILABLE',
      outcomeUnknown: true,
    });
  });
});

describe('syncPayment', () => {
  it('maps WAITING, PAID, REJECTED and EXPIRED', async () => {
    const provider = await start();
    const { payment } = await created(provider);
    const waiting = await provider.syncPayment({ payment });
    expect(waiting).toMatchObject({ status: 'requires_action', paymentRef: payment.id });
    if (waiting.status !== 'requires_action' || waiting.nextAction.type !== 'redirect')
      throw new Error('redirect');
    expect(new URL(waiting.nextAction.url).searchParams.get('successUrl')).toBe(payment.returnUrl);
    expect(server.requests.at(-1)).toMatchObject({
      method: 'GET',
      url: `/partner/bill/v1/bills/${payment.id}`,
    });
    sim.setStatus(payment.id, 'PAID');
    expect(await provider.syncPayment({ payment })).toEqual({ status: 'succeeded', paymentRef: payment.id });
    sim.setStatus(payment.id, 'REJECTED');
    expect(await provider.syncPayment({ payment })).toEqual({
      status: 'canceled',
      reason: 'rejected',
      paymentRef: payment.id,
    });
    sim.setStatus(payment.id, 'EXPIRED');
    expect(await provider.syncPayment({ payment })).toEqual({
      status: 'canceled',
      reason: 'expired',
      paymentRef: payment.id,
    });
  });

  it('an unknown status stays processing and warns', async () => {
    const warn = vi.fn();
    const logger: Logger = { ...silentLogger, warn, child: () => logger };
    const provider = await start({}, logger);
    const { payment } = await created(provider);
    sim.setStatus(payment.id, 'ON_HOLD');
    expect(await provider.syncPayment({ payment })).toEqual({ status: 'processing', paymentRef: payment.id });
    expect(warn).toHaveBeenCalled();
  });

  it('an unknown bill is api.invoice.not.found → PAYRAIL_ERR_PROVIDER_REJECTED', async () => {
    const provider = await start();
    // With a paymentRef: QIWI once confirmed this bill (an unconfirmed one is created again, see
    // sync-unconfirmed-bill.test.ts).
    const payment = paymentView();
    const err = await provider
      .syncPayment({ payment: { ...payment, paymentRef: payment.id } })
      .catch((e) => e);
    expect(err).toMatchObject({ code: 'PAYRAIL_ERR_PROVIDER_REJECTED' });
    expect(err.details).toMatchObject({ providerCode: 'api.invoice.not.found', httpStatus: 404 });
  });
});

describe('cancelPayment', () => {
  it('POSTs /reject; the bill is then canceled (rejected)', async () => {
    const provider = await start();
    const { payment } = await created(provider);
    await provider.cancelPayment!({ payment });
    expect(server.requests.at(-1)).toMatchObject({
      method: 'POST',
      url: `/partner/bill/v1/bills/${payment.id}/reject`,
    });
    expect(await provider.syncPayment({ payment })).toMatchObject({ status: 'canceled', reason: 'rejected' });
  });

  it('a paid bill cannot be rejected: a PayrailError', async () => {
    const provider = await start();
    const { payment } = await created(provider);
    sim.setStatus(payment.id, 'PAID');
    await expect(provider.cancelPayment!({ payment })).rejects.toMatchObject({
      code: 'PAYRAIL_ERR_PROVIDER_REJECTED',
    });
  });
});

describe('refunds', () => {
  it('several partial refunds (PARTIAL, then FULL: both done), synced, and refusing more than paid', async () => {
    const provider = await start();
    const { payment } = await created(provider, { amount: 10_050 });
    sim.setStatus(payment.id, 'PAID');

    const first = await provider.refundPayment!({ payment, refundId: 're_1', amount: 2_525, reason: null });
    expect(first).toEqual({ status: 'succeeded', refundRef: 're_1' });
    const req = server.requests.at(-1)!;
    expect(req).toMatchObject({ method: 'PUT', url: `/partner/bill/v1/bills/${payment.id}/refunds/re_1` });
    expect(JSON.parse(req.body)).toEqual({ amount: { currency: 'RUB', value: '25.25' } });
    expect(sim.bills.get(payment.id)!.refunds.get('re_1')!.status).toBe('PARTIAL');

    const second = await provider.refundPayment!({ payment, refundId: 're_2', amount: 7_525, reason: 'x' });
    expect(second.status).toBe('succeeded');
    expect(sim.bills.get(payment.id)!.refunds.get('re_2')!.status).toBe('FULL');

    // 100.50 is fully refunded now: one kopeck more is refused.
    await expect(
      provider.refundPayment!({ payment, refundId: 're_3', amount: 1, reason: null }),
    ).rejects.toMatchObject({
      code: 'PAYRAIL_ERR_REFUND_AMOUNT',
      details: { providerCode: 'refund.incorrect.amount' },
    });

    expect(await provider.syncRefund!({ payment, refundId: 're_1', refundRef: 're_1' })).toEqual({
      status: 'succeeded',
      refundRef: 're_1',
    });
    expect(server.requests.at(-1)).toMatchObject({
      method: 'GET',
      url: `/partner/bill/v1/bills/${payment.id}/refunds/re_1`,
    });
    await expect(provider.syncRefund!({ payment, refundId: 're_9', refundRef: null })).rejects.toMatchObject({
      code: 'PAYRAIL_ERR_PROVIDER_REJECTED',
    });
  });

  it('repeating a refund with the same id is idempotent', async () => {
    const provider = await start();
    const { payment } = await created(provider);
    sim.setStatus(payment.id, 'PAID');
    await provider.refundPayment!({ payment, refundId: 're_a', amount: 500, reason: null });
    await provider.refundPayment!({ payment, refundId: 're_a', amount: 500, reason: null });
    expect([...sim.bills.get(payment.id)!.refunds.keys()]).toEqual(['re_a']);
  });

  it('a refund timeout is outcome unknown', async () => {
    const { payment } = await created(await start());
    sim.setStatus(payment.id, 'PAID');
    server.use(
      http.put('*/partner/bill/v1/bills/:billId/refunds/:refundId', async () => {
        await delay(2_000);
        return HttpResponse.json({});
      }),
    );
    const quick = await start({ timeoutMs: 300 });
    await expect(
      quick.refundPayment!({ payment, refundId: 're_t', amount: 100, reason: null }),
    ).rejects.toMatchObject({ code: 'PAYRAIL_ERR_PROVIDER_TIMEOUT', outcomeUnknown: true });
  });
});

describe('webhooks', () => {
  it('parses a signed PAID notification into a succeeded outcome with Money in minor units', async () => {
    const provider = await start();
    const { payment } = await created(provider, { amount: 12_345 });
    sim.setStatus(payment.id, 'PAID');
    const result = await provider.webhooks!.parse(sim.notification(payment.id));
    expect(result).toEqual({
      type: 'payment',
      notification: {
        notificationId: `${payment.id}:PAID`,
        paymentId: payment.id,
        paymentRef: payment.id,
        amount: { amount: 12_345, currency: 'RUB' },
        outcome: { status: 'succeeded', paymentRef: payment.id },
      },
    });
  });

  it('accepts the docs-shaped body with value "100" (signed as "100.00") and the published vector', async () => {
    const provider = await start({ siteId: 'test', secretKey: 'test-merchant-secret-for-signature-check' });
    const body = {
      bill: {
        siteId: 'test',
        billId: 'test_bill',
        amount: { value: '1', currency: 'RUB' },
        status: { value: 'PAID', datetime: '2018-03-01T11:16:12' },
        customer: {},
        customFields: {},
      },
      version: '1',
    };
    const result = await provider.webhooks!.parse({
      headers: {
        'X-Api-Signature-SHA256': '07e0ebb10916d97760c196034105d010607a6c6b7d72bfa1c3451448ac484a3b',
      },
      rawBody: Buffer.from(JSON.stringify(body)),
      query: {},
    });
    expect(result).toMatchObject({
      type: 'payment',
      notification: { amount: { amount: 100, currency: 'RUB' } },
    });
  });

  interface NotificationBody {
    bill: {
      siteId: string;
      billId: string;
      amount: { value: string; currency: string };
      status: { value: string };
    };
  }
  const tampered: [string, (b: NotificationBody) => void][] = [
    ['amount', (b) => (b.bill.amount.value = '99.00')],
    ['currency', (b) => (b.bill.amount.currency = 'KZT')],
    ['billId', (b) => (b.bill.billId = 'another')],
    ['siteId', (b) => (b.bill.siteId = 'site-2')],
    ['status', (b) => (b.bill.status.value = 'EXPIRED')],
  ];
  it.each(tampered)('a tampered %s is PAYRAIL_ERR_WEBHOOK_SIGNATURE', async (_name, change) => {
    const provider = await start();
    const { payment } = await created(provider);
    const req = sim.notification(payment.id);
    const body = JSON.parse(req.rawBody.toString()) as NotificationBody;
    change(body);
    await expect(
      provider.webhooks!.parse({ ...req, rawBody: Buffer.from(JSON.stringify(body)) }),
    ).rejects.toMatchObject({ code: 'PAYRAIL_ERR_WEBHOOK_SIGNATURE' });
  });

  it('missing, uppercase, wrong-key and unverifiable notifications are PAYRAIL_ERR_WEBHOOK_SIGNATURE', async () => {
    const provider = await start();
    const { payment } = await created(provider);
    const req = sim.notification(payment.id);
    const sig = req.headers['x-api-signature-sha256'];
    const bad = [
      { ...req, headers: {} },
      { ...req, headers: { 'x-api-signature-sha256': sig.toUpperCase() } },
      sim.notification(payment.id, 'other-secret'),
      { ...req, rawBody: Buffer.from('not json') },
      { ...req, rawBody: Buffer.from('{"bill":{}}') },
    ];
    for (const r of bad) {
      await expect(provider.webhooks!.parse(r)).rejects.toMatchObject({
        code: 'PAYRAIL_ERR_WEBHOOK_SIGNATURE',
      });
    }
  });

  it('a well-signed notification for another siteId is refused', async () => {
    // Two QIWI sites sharing one secret key: instance "b" must not apply site-1's notification.
    const other = await start({ instanceId: 'b', siteId: 'site-2' });
    const provider = await start();
    const { payment } = await created(provider);
    await expect(other.webhooks!.parse(sim.notification(payment.id))).rejects.toMatchObject({
      code: 'PAYRAIL_ERR_WEBHOOK_PAYLOAD',
    });
  });

  it('respond: accepted → 200 {"error":"0"} JSON; rejected → non-200 so QIWI retries', async () => {
    const provider = await start();
    expect(provider.webhooks!.respond({ accepted: true })).toEqual({
      statusCode: 200,
      headers: { 'content-type': 'application/json' },
      body: '{"error":"0"}',
    });
    const sig = provider.webhooks!.respond({
      accepted: false,
      error: { code: 'PAYRAIL_ERR_WEBHOOK_SIGNATURE', message: 'bad' },
    });
    expect(sig.statusCode).toBe(401);
    expect(JSON.parse(sig.body).error).not.toBe('0');
    const other = provider.webhooks!.respond({
      accepted: false,
      error: { code: 'PAYRAIL_ERR_STORE_UNAVAILABLE', message: 'db down' },
    });
    expect(other.statusCode).toBe(500);
  });
});

describe('several instances', () => {
  it('two sites side by side use their own credentials', async () => {
    const sim2 = new QiwiSimulator('site-2', 'secret-2');
    const server2 = await serveMswHandlers(sim2.handlers());
    try {
      const a = await start();
      const b = await start({
        instanceId: 'second',
        siteId: 'site-2',
        secretKey: 'secret-2',
        apiBaseUrl: server2.origin,
      });
      const pa = await created(a);
      const pb = await created(b);
      expect(sim.bills.has(pa.payment.id)).toBe(true);
      expect(sim2.bills.has(pb.payment.id)).toBe(true);
      expect(server2.requests[0]!.headers.authorization).toBe('Bearer secret-2');
      sim2.setStatus(pb.payment.id, 'PAID');
      await expect(b.webhooks!.parse(sim2.notification(pb.payment.id))).resolves.toMatchObject({
        type: 'payment',
      });
      await expect(a.webhooks!.parse(sim2.notification(pb.payment.id))).rejects.toMatchObject({
        code: 'PAYRAIL_ERR_WEBHOOK_SIGNATURE',
      });
    } finally {
      await server2.close();
    }
  });
});
