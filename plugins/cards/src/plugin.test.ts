import {
  type CardInput,
  type CreatePaymentInput,
  createPluginRegistry,
  type Logger,
  ManualClock,
  newId,
  type PaymentProvider,
  PayrailError,
  type ProviderPaymentView,
} from '@payrail/core';
import { describe, expect, it } from 'vitest';
import { cardFingerprint } from './fingerprint';
import { type CardsOptions, cards } from './plugin';

const KEY = 'fingerprint-key-for-tests-0123456789';

function recordingLogger() {
  const lines: unknown[] = [];
  const make = (bindings: object): Logger => ({
    debug: (obj, msg) => lines.push({ level: 'debug', ...bindings, ...obj, msg }),
    info: (obj, msg) => lines.push({ level: 'info', ...bindings, ...obj, msg }),
    warn: (obj, msg) => lines.push({ level: 'warn', ...bindings, ...obj, msg }),
    error: (obj, msg) => lines.push({ level: 'error', ...bindings, ...obj, msg }),
    child: (more) => make({ ...bindings, ...more }),
  });
  return { logger: make({}), lines };
}

async function boot(
  options: CardsOptions = { fingerprintKey: KEY },
  clock = new ManualClock(Date.UTC(2026, 5, 15)),
) {
  const { logger, lines } = recordingLogger();
  const plugin = cards(options);
  const registry = await createPluginRegistry([plugin], {
    logger,
    clock,
    http: { request: () => Promise.reject(new Error('no network')), close: async () => {} },
    publicUrl: 'https://payrail.test',
  });
  const provider = registry.provider('cards', plugin.instanceId)!.provider as Required<PaymentProvider>;
  return { plugin, provider, lines, clock };
}

const card = (number: string, overrides: Partial<CardInput> = {}): CardInput => ({
  type: 'card',
  number,
  expMonth: 12,
  expYear: 2030,
  cvc: '739',
  ...overrides,
});

function input(
  paymentMethod: CardInput | undefined,
  overrides: Partial<ProviderPaymentView> = {},
): CreatePaymentInput {
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
  return { payment, returnUrl: 'https://payrail.test/return', ...(paymentMethod ? { paymentMethod } : {}) };
}

async function rejection(p: Promise<unknown>): Promise<PayrailError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(PayrailError);
  return err as PayrailError;
}

describe('cards plugin value', () => {
  it('is a payment-page card provider with capture, cancel and refund', () => {
    const plugin = cards();
    expect(plugin).toMatchObject({
      kind: 'provider',
      manifest: { id: 'cards', coreRange: '^0.1.0' },
      instanceId: 'default',
      paymentMethods: ['card'],
      currencies: 'any',
      confirmation: 'payment_page',
      capabilities: ['capture', 'cancel', 'refund'],
    });
    expect(cards({ instanceId: 'eu' }).instanceId).toBe('eu');
  });

  it('rejects a short fingerprint key and unknown options at boot', async () => {
    await expect(boot({ fingerprintKey: 'short' })).rejects.toMatchObject({
      code: 'PAYRAIL_ERR_PLUGIN_OPTIONS',
    });
    await expect(boot({ fingerprintKey: KEY, typo: true } as CardsOptions)).rejects.toMatchObject({
      code: 'PAYRAIL_ERR_PLUGIN_OPTIONS',
    });
  });

  it('warns when fingerprints will not survive a restart', async () => {
    const { lines } = await boot({});
    expect(lines).toContainEqual(
      expect.objectContaining({ level: 'warn', msg: expect.stringMatching(/fingerprintKey/) }),
    );
  });
});

describe('createPayment', () => {
  it('needs card details from the payment page', async () => {
    const { provider } = await boot();
    const e = await rejection(provider.createPayment(input(undefined)));
    expect(e).toMatchObject({ code: 'PAYRAIL_ERR_PAYMENT_METHOD_INVALID', param: 'payment_method' });
  });

  it('automatic capture → succeeded, with display data and an HMAC fingerprint', async () => {
    const { provider } = await boot();
    const outcome = await provider.createPayment(input(card('4242 4242 4242 4242')));
    expect(outcome).toEqual({
      status: 'succeeded',
      amountCaptured: 1_000,
      paymentRef: expect.stringMatching(/^sbx_/),
      card: {
        brand: 'visa',
        first6: '424242',
        last4: '4242',
        expMonth: 12,
        expYear: 2030,
        fingerprint: cardFingerprint('4242424242424242', KEY),
        // No issuer registered this range: no payer authentication ran.
        authentication: 'not_enrolled',
      },
    });
  });

  it('fingerprints: same card → same value; another key → another value; not a plain hash', async () => {
    const a = await boot();
    const b = await boot({ fingerprintKey: 'another-fingerprint-key-0123456789' });
    const f1 = (await a.provider.createPayment(input(card('5555555555554444')))).card?.fingerprint;
    const f2 = (
      await a.provider.createPayment(input(card('5555555555554444', { cvc: '111', expYear: 2031 })))
    ).card?.fingerprint;
    const f3 = (await b.provider.createPayment(input(card('5555555555554444')))).card?.fingerprint;
    expect(f1).toMatch(/^[0-9a-f]{64}$/);
    expect(f2).toBe(f1);
    expect(f3).not.toBe(f1);
  });

  it('manual capture → authorized; then partial capture, sync, refunds up to the capture', async () => {
    const { provider } = await boot();
    const req = input(card('5555555555554444'), { captureMethod: 'manual' });
    const created = await provider.createPayment(req);
    expect(created).toMatchObject({
      status: 'authorized',
      amountAuthorized: 1_000,
      card: { brand: 'mastercard' },
    });
    const payment = { ...req.payment, paymentRef: created.paymentRef ?? null };
    expect((await rejection(provider.capturePayment({ payment, amount: 1_001 }))).code).toBe(
      'PAYRAIL_ERR_PROVIDER_REJECTED',
    );
    expect(await provider.capturePayment({ payment, amount: 800 })).toEqual({ amountCaptured: 800 });
    expect(await provider.syncPayment({ payment })).toMatchObject({
      status: 'succeeded',
      amountCaptured: 800,
    });
    expect(
      await provider.refundPayment({ payment, refundId: 're_1', amount: 500, reason: null }),
    ).toMatchObject({
      status: 'succeeded',
      refundRef: expect.stringMatching(/^sbxre_/),
    });
    const beyond = await rejection(
      provider.refundPayment({ payment, refundId: 're_2', amount: 301, reason: null }),
    );
    expect(beyond.code).toBe('PAYRAIL_ERR_PROVIDER_REJECTED');
    await provider.refundPayment({ payment, refundId: 're_2', amount: 300, reason: null });
  });

  it('cancel voids an authorization; a captured payment cannot be voided', async () => {
    const { provider } = await boot();
    const req = input(card('378282246310005', { cvc: '7391' }), { captureMethod: 'manual' });
    const created = await provider.createPayment(req);
    const payment = { ...req.payment, paymentRef: created.paymentRef ?? null };
    await provider.cancelPayment({ payment });
    expect(await provider.syncPayment({ payment })).toMatchObject({ status: 'canceled', reason: 'voided' });
    const sale = input(card('2223003122003222'));
    const saleOutcome = await provider.createPayment(sale);
    await rejection(
      provider.cancelPayment({ payment: { ...sale.payment, paymentRef: saleOutcome.paymentRef ?? null } }),
    );
  });

  it.each([
    ['4000000000000002', 'card_declined', '05'],
    ['4000000000009995', 'insufficient_funds', '51'],
    ['4000000000009987', 'lost_card', '41'],
    ['4000000000009979', 'stolen_card', '43'],
    ['4000000000000069', 'expired_card', '54'],
    ['4000000000000127', 'incorrect_cvc', 'N7'],
    ['4000000000000119', 'processing_error', '96'],
  ])('%s is declined as data: %s (%s)', async (number, code, providerCode) => {
    const { provider } = await boot();
    const req = input(card(number));
    const outcome = await provider.createPayment(req);
    expect(outcome).toMatchObject({
      status: 'declined',
      decline: { code, providerCode },
      card: { last4: number.slice(-4) },
    });
    expect(
      await provider.syncPayment({ payment: { ...req.payment, paymentRef: outcome.paymentRef ?? null } }),
    ).toMatchObject({
      status: 'declined',
      decline: { code },
    });
  });

  it('checks the expiry against the context clock', async () => {
    const { provider, clock } = await boot();
    clock.set(new Date('2031-01-01T00:00:00Z'));
    const e = await rejection(provider.createPayment(input(card('4242424242424242', { expYear: 2030 }))));
    expect(e).toMatchObject({ code: 'PAYRAIL_ERR_PAYMENT_METHOD_INVALID', param: 'exp_year' });
  });

  it('rejects invalid amounts and currencies before authorizing', async () => {
    const { provider } = await boot();
    expect(
      (await rejection(provider.createPayment(input(card('4242424242424242'), { amount: -5 })))).code,
    ).toBe('PAYRAIL_ERR_AMOUNT_INVALID');
    expect(
      (await rejection(provider.createPayment(input(card('4242424242424242'), { currency: 'ABC' })))).code,
    ).toBe('PAYRAIL_ERR_CURRENCY_UNKNOWN');
  });

  it('sync without a known authorization is a PayrailError', async () => {
    const { provider } = await boot();
    expect((await rejection(provider.syncPayment({ payment: input(undefined).payment }))).code).toBe(
      'PAYRAIL_ERR_PROVIDER_REJECTED',
    );
  });
});

describe('outcome unknown', () => {
  it('a timeout after sending is outcome-unknown; status sync then learns the approval', async () => {
    const { provider } = await boot();
    const req = input(card('4000000000000408'), { captureMethod: 'manual' });
    const err = await provider.createPayment(req).then(
      () => undefined,
      (e: unknown) => e as PayrailError,
    );
    expect(err).toBeInstanceOf(PayrailError);
    expect(err?.code).toBe('PAYRAIL_ERR_PROVIDER_TIMEOUT');
    expect(err?.outcomeUnknown).toBe(true);
    // The reference was never learnt: sync finds the authorization by payment id.
    const synced = await provider.syncPayment({ payment: req.payment });
    expect(synced).toMatchObject({ status: 'authorized', amountAuthorized: 1_000 });
    // The stale authorization can then be voided (the auto-void job does this).
    await provider.cancelPayment({ payment: { ...req.payment, paymentRef: synced.paymentRef ?? null } });
    expect(await provider.syncPayment({ payment: req.payment })).toMatchObject({
      status: 'canceled',
      reason: 'voided',
    });
  });
});

describe('card data never leaks', () => {
  const PANS = [
    '4242424242424242',
    '5555555555554444',
    '2223003122003222',
    '378282246310005',
    '2200000000000004',
    '4000000000000002',
    '4000000000009995',
    '4000000000009987',
    '4000000000009979',
    '4000000000000069',
    '4000000000000127',
    '4000000000000119',
    '6011111111111117',
    '4242424242424241', // fails Luhn
    '41111111111111111111', // too long
  ];
  const CVC3 = '739';
  const CVC4 = '7391';

  it('no outcome, error or log line of a full run contains a PAN or a CVC', async () => {
    const { provider, lines } = await boot();
    const artefacts: unknown[] = [];
    const record = async (fn: () => Promise<unknown>) => {
      try {
        artefacts.push(await fn());
      } catch (err) {
        const e = err as PayrailError;
        artefacts.push({
          name: e.name,
          message: e.message,
          json: JSON.stringify(e),
          param: e.param,
          details: e.details,
        });
        artefacts.push(String(e), String(e.cause ?? ''));
      }
    };
    for (const number of PANS) {
      const cvc = number.startsWith('37') ? CVC4 : CVC3;
      for (const captureMethod of ['automatic', 'manual'] as const) {
        const req = input(card(number, { cvc }), { captureMethod });
        let ref: string | null = null;
        await record(async () => {
          const outcome = await provider.createPayment(req);
          ref = outcome.paymentRef ?? null;
          return outcome;
        });
        const payment = { ...req.payment, paymentRef: ref };
        await record(() => provider.syncPayment({ payment }));
        await record(() => provider.capturePayment({ payment, amount: 500 }));
        await record(() =>
          provider.refundPayment({ payment, refundId: newId('refund'), amount: 2_000, reason: null }),
        );
        await record(() =>
          provider.refundPayment({ payment, refundId: newId('refund'), amount: 100, reason: null }),
        );
        await record(() => provider.cancelPayment({ payment }));
      }
      // Every validation failure, with the real number in the input.
      for (const bad of [
        { cvc: '1' },
        { cvc: `${cvc}x` },
        { expMonth: 13 },
        { expYear: 2020 },
        { expYear: 99 },
        { number: `${number}0` },
        { number: `${number.slice(0, -1)}x` },
      ]) {
        await record(() => provider.createPayment(input(card(number, { cvc, ...bad }))));
      }
    }
    const text = JSON.stringify(artefacts) + JSON.stringify(lines);
    expect(artefacts.length).toBeGreaterThan(100);
    for (const pan of PANS) {
      expect(text.includes(pan), `PAN ${pan.slice(0, 6)}… leaked`).toBe(false);
    }
    // Ids, references and fingerprints are random base32/hex and may contain any digits: take them out,
    // then no run of digits in what is left may be a CVC.
    const withoutRandom = text
      .replace(/\b[a-z]+_[0-9A-Za-z]{20,}\b/g, '<id>')
      .replace(/\b[0-9a-f]{24,}\b/g, '<hex>');
    expect(withoutRandom).not.toMatch(new RegExp(`(?<!\\d)(${CVC3}|${CVC4})(?!\\d)`));
    expect(text).not.toMatch(/"(cvc|cvv|cvv2|number|pan)"\s*:/i);
  });
});
