import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  type CreatePaymentInput,
  createPluginRegistry,
  newId,
  type PaymentProvider,
  PayrailError,
  type ProviderPaymentView,
  silentLogger,
  systemClock,
} from '@payrail/core';
import { describe, expect, it } from 'vitest';
import { type FakeProviderPlugin, fakeProvider } from './plugin';
import { FAKE_TRIGGERS, fakeScenarioOf } from './triggers';
import { FAKE_SIGNATURE_HEADER, fakeWebhookRequest, signFakeWebhook } from './webhook';

const SECRET = 'fake-webhook-secret-0123456789';

async function boot(plugin: FakeProviderPlugin = fakeProvider({ webhookSecret: SECRET })) {
  const http = {
    request: async () => Promise.reject(new Error('no network in the fake')),
    close: async () => {},
  };
  const registry = await createPluginRegistry([plugin], {
    logger: silentLogger,
    clock: systemClock,
    http,
    publicUrl: 'https://payrail.test',
  });
  return {
    plugin,
    provider: registry.provider('fake', plugin.instanceId)!.provider as Required<PaymentProvider>,
  };
}

function input(overrides: Partial<ProviderPaymentView> = {}): CreatePaymentInput {
  const payment: ProviderPaymentView = {
    id: newId('payment'),
    merchantId: newId('merchant'),
    mode: 'test',
    amount: 1_000,
    currency: 'RUB',
    captureMethod: 'automatic',
    orderId: null,
    description: null,
    customer: null,
    returnUrl: null,
    metadata: {},
    paymentRef: null,
    ...overrides,
  };
  return { payment, returnUrl: `https://payrail.test/pay/${payment.id}/return` };
}

const scenario = (name: string, overrides: Partial<ProviderPaymentView> = {}) =>
  input({ metadata: { fake_scenario: name }, ...overrides });

async function rejection(p: Promise<unknown>): Promise<PayrailError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(PayrailError);
  return err as PayrailError;
}

describe('fake provider: trigger table', () => {
  it('is documented in README.md, row for row', () => {
    const readme = readFileSync(fileURLToPath(new URL('./README.md', import.meta.url)), 'utf8');
    for (const name of Object.keys(FAKE_TRIGGERS)) expect(readme).toContain(`\`${name}\``);
  });

  it('picks metadata.fake_scenario first, then an exact description, else succeed', () => {
    expect(fakeScenarioOf({ description: null, metadata: {} })).toBe('succeed');
    expect(fakeScenarioOf({ description: 'requires_action', metadata: {} })).toBe('requires_action');
    expect(fakeScenarioOf({ description: 'Order #42 requires_action', metadata: {} })).toBe('succeed');
    expect(
      fakeScenarioOf({
        description: 'requires_action',
        metadata: { fake_scenario: 'decline_card_declined' },
      }),
    ).toBe('decline_card_declined');
  });

  it('refuses an unknown or refund-only fake_scenario instead of succeeding silently', () => {
    expect(() => fakeScenarioOf({ description: null, metadata: { fake_scenario: 'nope' } })).toThrow(
      PayrailError,
    );
    expect(() =>
      fakeScenarioOf({ description: null, metadata: { fake_scenario: 'refund_pending' } }),
    ).toThrow(/Unknown fake_scenario/);
    expect(() => fakeScenarioOf({ description: null, metadata: { fake_scenario: 'toString' } })).toThrow(
      PayrailError,
    );
  });
});

describe('fake provider: payments', () => {
  it('succeed: automatic capture → succeeded; manual → authorized', async () => {
    const { provider } = await boot();
    const auto = input();
    expect(await provider.createPayment(auto)).toEqual({
      status: 'succeeded',
      amountCaptured: 1_000,
      paymentRef: `fake_${auto.payment.id}`,
    });
    const manual = input({ captureMethod: 'manual' });
    expect(await provider.createPayment(manual)).toMatchObject({
      status: 'authorized',
      amountAuthorized: 1_000,
    });
  });

  it('declines are data with normalised codes', async () => {
    const { provider } = await boot();
    expect(await provider.createPayment(scenario('decline_card_declined'))).toMatchObject({
      status: 'declined',
      decline: { code: 'card_declined', providerCode: 'fake_card_declined' },
    });
    const byDescription = input({ description: 'decline_insufficient_funds' });
    expect(await provider.createPayment(byDescription)).toMatchObject({
      status: 'declined',
      decline: { code: 'insufficient_funds' },
    });
    expect(await provider.syncPayment({ payment: byDescription.payment })).toMatchObject({
      status: 'declined',
    });
  });

  it('pending_then_webhook: processing until complete(), which returns a signed webhook that parses to succeeded', async () => {
    const { plugin, provider } = await boot();
    const req = scenario('pending_then_webhook');
    expect(await provider.createPayment(req)).toMatchObject({ status: 'processing' });
    expect(await provider.syncPayment({ payment: req.payment })).toMatchObject({ status: 'processing' });

    const hook = plugin.control.complete(req.payment.id);
    expect(hook.headers[FAKE_SIGNATURE_HEADER]).toBe(signFakeWebhook(SECRET, hook.rawBody));
    const parsed = await provider.webhooks.parse(hook);
    expect(parsed).toEqual({
      type: 'payment',
      notification: {
        notificationId: expect.any(String),
        paymentId: req.payment.id,
        amount: { amount: 1_000, currency: 'RUB' },
        outcome: { status: 'succeeded', amountCaptured: 1_000 },
      },
    });
    expect(await provider.syncPayment({ payment: req.payment })).toMatchObject({ status: 'succeeded' });
    expect(() => plugin.control.complete(req.payment.id)).toThrow(/not waiting/);
  });

  it('complete() can also fail or cancel a pending payment', async () => {
    const { plugin, provider } = await boot();
    const failing = scenario('pending_then_webhook');
    await provider.createPayment(failing);
    const parsed = await provider.webhooks.parse(
      plugin.control.complete(failing.payment.id, { status: 'failed', declineCode: 'insufficient_funds' }),
    );
    expect(parsed.type === 'payment' && parsed.notification.outcome).toMatchObject({
      status: 'declined',
      decline: { code: 'insufficient_funds' },
    });
    const canceling = scenario('requires_action');
    await provider.createPayment(canceling);
    const canceled = await provider.webhooks.parse(
      plugin.control.complete(canceling.payment.id, { status: 'canceled' }),
    );
    expect(canceled.type === 'payment' && canceled.notification.outcome.status).toBe('canceled');
  });

  it('timeout_unknown: throws PROVIDER_TIMEOUT with outcomeUnknown, yet the provider acted (sync says succeeded)', async () => {
    const { provider } = await boot();
    const req = scenario('timeout_unknown');
    const err = await rejection(provider.createPayment(req));
    expect(err.code).toBe('PAYRAIL_ERR_PROVIDER_TIMEOUT');
    expect(err.outcomeUnknown).toBe(true);
    expect(await provider.syncPayment({ payment: req.payment })).toMatchObject({ status: 'succeeded' });
    // A retried createPayment gets the first attempt's result, as with an idempotency key.
    expect(await provider.createPayment(req)).toMatchObject({ status: 'succeeded' });
  });

  it('requires_action: redirects to the fake checkout with the return URL, until completed', async () => {
    const { plugin, provider } = await boot();
    const req = scenario('requires_action', { captureMethod: 'manual' });
    const outcome = await provider.createPayment(req);
    expect(outcome.status).toBe('requires_action');
    const url = new URL(
      outcome.status === 'requires_action' && outcome.nextAction.type === 'redirect'
        ? outcome.nextAction.url
        : '',
    );
    expect(url.hostname).toBe('checkout.fake-provider.invalid');
    expect(url.searchParams.get('return_url')).toBe(req.returnUrl);
    expect(await provider.syncPayment({ payment: req.payment })).toMatchObject({ status: 'requires_action' });
    plugin.control.complete(req.payment.id);
    expect(await provider.syncPayment({ payment: req.payment })).toMatchObject({ status: 'authorized' });
  });

  it('rejects bad amounts and currencies as PayrailErrors', async () => {
    const { provider } = await boot();
    expect((await rejection(provider.createPayment(input({ amount: 0 })))).code).toBe(
      'PAYRAIL_ERR_AMOUNT_INVALID',
    );
    expect((await rejection(provider.createPayment(input({ currency: 'XYZ' })))).code).toBe(
      'PAYRAIL_ERR_CURRENCY_UNKNOWN',
    );
  });

  it('keeps state per plugin value: another instance does not know the payment', async () => {
    const a = await boot();
    const b = await boot(fakeProvider({ webhookSecret: SECRET, instanceId: 'second' }));
    const req = input();
    await a.provider.createPayment(req);
    expect((await rejection(b.provider.syncPayment({ payment: req.payment }))).code).toBe(
      'PAYRAIL_ERR_PROVIDER_REJECTED',
    );
    expect(b.plugin.instanceId).toBe('second');
  });

  it('sync refuses a reference that does not match', async () => {
    const { provider } = await boot();
    const req = input();
    await provider.createPayment(req);
    const err = await rejection(
      provider.syncPayment({ payment: { ...req.payment, paymentRef: 'fake_other' } }),
    );
    expect(err.code).toBe('PAYRAIL_ERR_PROVIDER_REJECTED');
  });
});

describe('fake provider: capture, cancel, refund', () => {
  it('captures partially up to the authorized amount; a second capture is a no-op', async () => {
    const { provider } = await boot();
    const req = input({ captureMethod: 'manual' });
    await provider.createPayment(req);
    expect((await rejection(provider.capturePayment({ payment: req.payment, amount: 1_001 }))).code).toBe(
      'PAYRAIL_ERR_PROVIDER_REJECTED',
    );
    expect(await provider.capturePayment({ payment: req.payment, amount: 600 })).toEqual({
      amountCaptured: 600,
    });
    expect(await provider.capturePayment({ payment: req.payment, amount: 1_000 })).toEqual({
      amountCaptured: 600,
    });
    expect(await provider.syncPayment({ payment: req.payment })).toMatchObject({
      status: 'succeeded',
      amountCaptured: 600,
    });
  });

  it('cannot capture a declined or pending payment', async () => {
    const { provider } = await boot();
    const declined = scenario('decline_card_declined', { captureMethod: 'manual' });
    await provider.createPayment(declined);
    await rejection(provider.capturePayment({ payment: declined.payment, amount: 1 }));
    const pending = scenario('pending_then_webhook', { captureMethod: 'manual' });
    await provider.createPayment(pending);
    await rejection(provider.capturePayment({ payment: pending.payment, amount: 1 }));
  });

  it('cancels an authorization (twice is a no-op) but not a captured payment', async () => {
    const { provider } = await boot();
    const auth = input({ captureMethod: 'manual' });
    await provider.createPayment(auth);
    await provider.cancelPayment({ payment: auth.payment });
    await provider.cancelPayment({ payment: auth.payment });
    expect(await provider.syncPayment({ payment: auth.payment })).toMatchObject({ status: 'canceled' });
    const captured = input();
    await provider.createPayment(captured);
    expect((await rejection(provider.cancelPayment({ payment: captured.payment }))).code).toBe(
      'PAYRAIL_ERR_PROVIDER_REJECTED',
    );
  });

  it('refunds up to the captured amount, idempotently per refund id; beyond → PROVIDER_REJECTED', async () => {
    const { provider } = await boot();
    const req = input();
    await provider.createPayment(req);
    const r1 = await provider.refundPayment({
      payment: req.payment,
      refundId: 're_1',
      amount: 400,
      reason: null,
    });
    expect(r1).toEqual({ status: 'succeeded', refundRef: 'fakere_re_1' });
    expect(
      await provider.refundPayment({ payment: req.payment, refundId: 're_1', amount: 400, reason: null }),
    ).toEqual(r1);
    await provider.refundPayment({ payment: req.payment, refundId: 're_2', amount: 600, reason: null });
    const err = await rejection(
      provider.refundPayment({ payment: req.payment, refundId: 're_3', amount: 1, reason: null }),
    );
    expect(err.code).toBe('PAYRAIL_ERR_PROVIDER_REJECTED');
  });

  it('refund_pending → pending, then syncRefund says succeeded; pending refunds count against the rest', async () => {
    const { provider } = await boot();
    const req = input();
    await provider.createPayment(req);
    expect(
      await provider.refundPayment({
        payment: req.payment,
        refundId: 're_p',
        amount: 1_000,
        reason: 'refund_pending',
      }),
    ).toMatchObject({ status: 'pending' });
    await rejection(
      provider.refundPayment({ payment: req.payment, refundId: 're_q', amount: 1, reason: null }),
    );
    expect(
      await provider.syncRefund({ payment: req.payment, refundId: 're_p', refundRef: 'fakere_re_p' }),
    ).toMatchObject({
      status: 'succeeded',
    });
  });

  it('refund_fail → failed, and nothing is reserved', async () => {
    const { provider } = await boot();
    const req = input();
    await provider.createPayment(req);
    expect(
      await provider.refundPayment({
        payment: req.payment,
        refundId: 're_f',
        amount: 1_000,
        reason: 'refund_fail',
      }),
    ).toMatchObject({ status: 'failed', failure: { code: 'fake_refund_failed' } });
    expect(
      await provider.refundPayment({ payment: req.payment, refundId: 're_ok', amount: 1_000, reason: null }),
    ).toMatchObject({ status: 'succeeded' });
  });

  it('cannot refund an uncaptured payment; syncRefund of an unknown refund is a PayrailError', async () => {
    const { provider } = await boot();
    const req = input({ captureMethod: 'manual' });
    await provider.createPayment(req);
    await rejection(
      provider.refundPayment({ payment: req.payment, refundId: 're_x', amount: 1, reason: null }),
    );
    await rejection(provider.syncRefund({ payment: req.payment, refundId: 're_none', refundRef: null }));
  });
});

describe('fake provider: webhooks', () => {
  const body = {
    id: 'evt_1',
    payment_id: 'pay_1',
    status: 'succeeded' as const,
    amount: 500,
    currency: 'usd',
  };

  it('verifies the signature in constant time over the raw bytes (header name case-insensitive)', async () => {
    const { provider } = await boot();
    const req = fakeWebhookRequest(SECRET, body);
    const upper = { ...req, headers: { 'X-Fake-Signature': req.headers[FAKE_SIGNATURE_HEADER] } };
    expect(await provider.webhooks.parse(upper)).toMatchObject({
      type: 'payment',
      notification: { amount: { amount: 500, currency: 'USD' } },
    });
    const reformatted = { ...req, rawBody: Buffer.from(JSON.stringify(body, null, 2)) };
    expect((await rejection(provider.webhooks.parse(reformatted))).code).toBe(
      'PAYRAIL_ERR_WEBHOOK_SIGNATURE',
    );
  });

  it('a ping is ignored; invalid payloads are PAYRAIL_ERR_WEBHOOK_PAYLOAD', async () => {
    const { provider } = await boot();
    expect(
      await provider.webhooks.parse(fakeWebhookRequest(SECRET, { id: 'p1', type: 'ping' } as never)),
    ).toEqual({
      type: 'ignored',
      reason: 'ping p1',
    });
    const signedRaw = (raw: string) => ({
      headers: { [FAKE_SIGNATURE_HEADER]: signFakeWebhook(SECRET, raw) },
      rawBody: Buffer.from(raw),
      query: {},
    });
    for (const raw of [
      'not json',
      '{}',
      JSON.stringify({ ...body, amount: 1.5 }),
      JSON.stringify({ ...body, currency: 'ZZZ' }),
    ]) {
      expect((await rejection(provider.webhooks.parse(signedRaw(raw)))).code).toBe(
        'PAYRAIL_ERR_WEBHOOK_PAYLOAD',
      );
    }
  });

  it('an unknown status maps to processing, never to success', async () => {
    const { provider } = await boot();
    const parsed = await provider.webhooks.parse(
      fakeWebhookRequest(SECRET, { ...body, status: 'mystery' as never }),
    );
    expect(parsed.type === 'payment' && parsed.notification.outcome).toEqual({ status: 'processing' });
  });

  it('respond: 200 {"received":true} or 400 with the error', async () => {
    const { provider } = await boot();
    expect(provider.webhooks.respond({ accepted: true })).toEqual({
      statusCode: 200,
      headers: { 'content-type': 'application/json' },
      body: '{"received":true}',
    });
    const refused = provider.webhooks.respond({
      accepted: false,
      error: { code: 'PAYRAIL_ERR_WEBHOOK_SIGNATURE', message: 'bad' },
    });
    expect(refused.statusCode).toBe(400);
    expect(JSON.parse(refused.body)).toEqual({
      error: { code: 'PAYRAIL_ERR_WEBHOOK_SIGNATURE', message: 'bad' },
    });
  });

  it('webhookFor() describes the current state, with a fresh notification id each time', async () => {
    const { plugin, provider } = await boot();
    const req = input();
    await provider.createPayment(req);
    const a = await provider.webhooks.parse(plugin.control.webhookFor(req.payment.id));
    const b = await provider.webhooks.parse(plugin.control.webhookFor(req.payment.id));
    expect(a.type === 'payment' && b.type === 'payment').toBe(true);
    if (a.type === 'payment' && b.type === 'payment') {
      expect(a.notification.notificationId).not.toBe(b.notification.notificationId);
      expect(a.notification.outcome).toEqual({ status: 'succeeded', amountCaptured: 1_000 });
    }
  });

  it('the registry refuses a short secret', async () => {
    await expect(boot(fakeProvider({ webhookSecret: 'short' }))).rejects.toMatchObject({
      code: 'PAYRAIL_ERR_PLUGIN_OPTIONS',
    });
  });
});
