import {
  createPluginRegistry,
  createUndiciHttpClient,
  type Logger,
  type PaymentProvider,
  type ProviderPaymentView,
  systemClock,
} from '@payrail/core';
import { type MswLoopbackServer, serveMswHandlers } from '@payrail/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseOptions, encode, notificationFields, PAYMENT_ID, SECRET, USD_PURSE } from '../test/fixtures';
import { x18Handlers } from '../test/x18-handlers';
import { paymentNumberFor } from './payment-number';
import { webmoney } from './plugin';
import { WebMoneySimulator } from './simulator';

const WMID = '811333344777';
const X18_KEY = 'x18-secret-not-real';

/** A logger that keeps every line, to prove no secret is ever written. */
function recordingLogger(lines: string[]): Logger {
  const log = (obj: object, msg?: string) => {
    lines.push(JSON.stringify(obj) + (msg ?? ''));
  };
  const logger: Logger = { debug: log, info: log, warn: log, error: log, child: () => logger };
  return logger;
}

const http = createUndiciHttpClient({ timeoutMs: 5_000 });
let mock: MswLoopbackServer;
const sim = new WebMoneySimulator({ secretKey: SECRET, x18: { wmid: WMID, secretKey: X18_KEY } });

beforeAll(async () => {
  mock = await serveMswHandlers(x18Handlers(sim));
});
afterAll(async () => {
  await mock.close();
  await http.close();
});

async function start(
  options: Parameters<typeof webmoney>[0],
  lines: string[] = [],
): Promise<PaymentProvider> {
  const plugin = webmoney(options);
  const registry = await createPluginRegistry([plugin], {
    logger: recordingLogger(lines),
    clock: systemClock,
    http,
    publicUrl: 'https://payrail.test',
  });
  const registered = registry.provider('webmoney', plugin.instanceId);
  if (!registered) throw new Error('not registered');
  return registered.provider;
}

const view = (over: Partial<ProviderPaymentView> = {}): ProviderPaymentView => ({
  id: PAYMENT_ID,
  merchantId: 'mer_01J00000000000000000000000',
  mode: 'live',
  amount: 1000,
  currency: 'USD',
  captureMethod: 'automatic',
  orderId: '42',
  description: 'Order 42',
  customer: null,
  returnUrl: null,
  metadata: {},
  paymentRef: null,
  ...over,
});

describe('webmoney plugin value', () => {
  it('is a provider with id webmoney, method webmoney, immediate confirmation, webhooks only', () => {
    const plugin = webmoney(baseOptions());
    expect(plugin).toMatchObject({
      kind: 'provider',
      instanceId: 'default',
      manifest: { id: 'webmoney', version: '0.1.0', coreRange: '^0.1.0' },
      paymentMethods: ['webmoney'],
      confirmation: 'immediate',
      capabilities: ['webhooks'],
      currencies: ['USD', 'RUB'],
    });
  });

  it('routes only the currencies the instance has purses for', () => {
    expect(webmoney({ purses: { EUR: 'E123456789012' }, secretKey: 'k' }).currencies).toEqual(['EUR']);
  });

  it('two instances run side by side with their own purses, keys and Result URLs', async () => {
    const a = await start(baseOptions({ instanceId: 'shop-a' }));
    const b = await start({ instanceId: 'shop-b', purses: { USD: 'Z000000000002' }, secretKey: 'key-b' });
    const input = { payment: view(), returnUrl: 'https://payrail.test/pay/x' };
    const fa = await a.createPayment(input);
    const fb = await b.createPayment(input);
    expect(
      fa.status === 'requires_action' && fa.nextAction.type === 'form_post' && fa.nextAction.fields,
    ).toMatchObject({
      LMI_PAYEE_PURSE: USD_PURSE,
      LMI_RESULT_URL: 'https://payrail.test/hooks/webmoney/shop-a',
    });
    expect(
      fb.status === 'requires_action' && fb.nextAction.type === 'form_post' && fb.nextAction.fields,
    ).toMatchObject({
      LMI_PAYEE_PURSE: 'Z000000000002',
      LMI_RESULT_URL: 'https://payrail.test/hooks/webmoney/shop-b',
    });
    // A notification signed for shop-a is not valid at shop-b (other key, other purse).
    const body = { headers: {}, query: {}, rawBody: encode(notificationFields()) };
    expect((await a.webhooks!.parse(body)).type).toBe('payment');
    await expect(b.webhooks!.parse(body)).rejects.toMatchObject({ code: 'PAYRAIL_ERR_WEBHOOK_SIGNATURE' });
  });

  it('invalid options fail at registration', async () => {
    await expect(start({ purses: { USD: 'R123456789012' }, secretKey: 'k' })).rejects.toMatchObject({
      code: 'PAYRAIL_ERR_PLUGIN_OPTIONS',
    });
  });
});

describe('createPayment', () => {
  it('makes no server call and returns a form_post to the payment form', async () => {
    const provider = await start(baseOptions());
    mock.requests.length = 0;
    const outcome = await provider.createPayment({
      payment: view(),
      returnUrl: 'https://payrail.test/pay/p/return',
    });
    expect(mock.requests).toHaveLength(0);
    expect(outcome).toEqual({
      status: 'requires_action',
      nextAction: {
        type: 'form_post',
        url: 'https://merchant.webmoney.ru/lmi/payment_utf.asp',
        fields: {
          LMI_PAYEE_PURSE: USD_PURSE,
          LMI_PAYMENT_AMOUNT: '10.00',
          LMI_PAYMENT_NO: paymentNumberFor(PAYMENT_ID),
          LMI_PAYMENT_DESC_BASE64: Buffer.from('Order 42').toString('base64'),
          LMI_RESULT_URL: 'https://payrail.test/hooks/webmoney/default',
          LMI_SUCCESS_URL: 'https://payrail.test/pay/p/return',
          LMI_SUCCESS_METHOD: '2',
          LMI_FAIL_URL: 'https://payrail.test/pay/p/return',
          LMI_FAIL_METHOD: '2',
          PAYRAIL_PAYMENT_ID: PAYMENT_ID,
        },
      },
    });
  });

  it('refuses a currency without a purse, and a bad amount, with PayrailErrors', async () => {
    const provider = await start(baseOptions());
    await expect(
      provider.createPayment({ payment: view({ currency: 'EUR' }), returnUrl: 'https://payrail.test/r' }),
    ).rejects.toMatchObject({ code: 'PAYRAIL_ERR_METHOD_UNAVAILABLE' });
    await expect(
      provider.createPayment({ payment: view({ amount: 10.5 }), returnUrl: 'https://payrail.test/r' }),
    ).rejects.toMatchObject({ code: 'PAYRAIL_ERR_AMOUNT_INVALID' });
  });
});

describe('syncPayment', () => {
  it('without x18: keeps waiting for the buyer (same form), asks nobody', async () => {
    const provider = await start(baseOptions());
    mock.requests.length = 0;
    const outcome = await provider.syncPayment({ payment: view() });
    expect(outcome).toMatchObject({ status: 'requires_action', nextAction: { type: 'form_post' } });
    expect(mock.requests).toHaveLength(0);
  });

  const withX18 = (over: object = {}) =>
    baseOptions({
      x18: { wmid: WMID, secretKey: X18_KEY, url: `${mock.origin}/conf/xml/XMLTransGet.asp`, ...over },
    });

  it('X18 "not found" (retval 7): still waiting', async () => {
    const provider = await start(withX18());
    const outcome = await provider.syncPayment({ payment: view({ id: 'pay_01JNOTPAIDYET0000000000000' }) });
    expect(outcome.status).toBe('requires_action');
  });

  it('X18 found: succeeded with the WebMoney transaction as paymentRef (sha256 and md5)', async () => {
    sim.recordPayment({
      purse: USD_PURSE,
      paymentNo: paymentNumberFor(PAYMENT_ID),
      amount: '10.00',
      transNo: '1234566789',
    });
    for (const hashMethod of ['SHA256', 'MD5'] as const) {
      const provider = await start(withX18({ hashMethod }));
      await expect(provider.syncPayment({ payment: view() })).resolves.toEqual({
        status: 'succeeded',
        amountCaptured: 1000,
        paymentRef: '1234566789',
      });
    }
  });

  it('X18 reporting another amount is refused, not applied', async () => {
    sim.recordPayment({
      purse: USD_PURSE,
      paymentNo: paymentNumberFor('pay_01JWRONGAMOUNT000000000000'),
      amount: '1.00',
      transNo: '55',
    });
    const provider = await start(withX18());
    await expect(
      provider.syncPayment({ payment: view({ id: 'pay_01JWRONGAMOUNT000000000000' }) }),
    ).rejects.toMatchObject({
      code: 'PAYRAIL_ERR_PROVIDER_REJECTED',
    });
  });

  it('X18 refusing our signature is PAYRAIL_ERR_PROVIDER_REJECTED', async () => {
    const provider = await start(withX18({ secretKey: 'wrong-key' }));
    await expect(provider.syncPayment({ payment: view() })).rejects.toMatchObject({
      code: 'PAYRAIL_ERR_PROVIDER_REJECTED',
    });
  });
});

describe('secrets', () => {
  it('are never logged, nor put in outcomes', async () => {
    const lines: string[] = [];
    const provider = await start(withSecrets(), lines);
    const created = await provider.createPayment({ payment: view(), returnUrl: 'https://payrail.test/r' });
    const synced = await provider.syncPayment({ payment: view() }).catch((e: Error) => e.message);
    const parsed = await provider.webhooks!.parse({
      headers: {},
      query: {},
      rawBody: encode(notificationFields()),
    });
    const all = lines.join('\n') + JSON.stringify([created, synced, parsed]);
    for (const secret of [SECRET, 'x20-secret-not-real', X18_KEY]) expect(all).not.toContain(secret);
    expect(lines.length).toBeGreaterThan(0);
  });
});

function withSecrets() {
  return baseOptions({
    paymentFormSign: { secretKey: 'x20-secret-not-real' },
    x18: { wmid: WMID, secretKey: X18_KEY, url: `${mock.origin}/conf/xml/XMLTransGet.asp` },
  });
}
