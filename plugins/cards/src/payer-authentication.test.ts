import {
  type CardInput,
  createPluginRegistry,
  ManualClock,
  newId,
  type PaymentProvider,
  type ProviderPaymentView,
  silentLogger,
} from '@payrail/core';
import { describe, expect, it } from 'vitest';
import { cardFingerprint } from './fingerprint';
import {
  CHALLENGE_TTL_MS,
  ChainedIssuerDirectory,
  hashSecretCode,
  type IssuerStatisticsCounter,
  inRange,
  MemoryIssuerDirectory,
  PayerAuthentication,
  SANDBOX_ISSUER,
  sandboxIssuerDirectory,
} from './payer-authentication';
import { cards, payerAuthenticationOf } from './plugin';

const KEY = 'fingerprint-key-for-tests-0123456789';

async function boot(options: Parameters<typeof cards>[0] = { fingerprintKey: KEY }) {
  const clock = new ManualClock(Date.UTC(2026, 5, 15));
  const plugin = cards(options);
  const registry = await createPluginRegistry([plugin], {
    logger: silentLogger,
    clock,
    http: { request: () => Promise.reject(new Error('no network')), close: async () => {} },
    publicUrl: 'https://payrail.test/',
  });
  const provider = registry.provider('cards', plugin.instanceId)!.provider as Required<PaymentProvider>;
  return { provider, auth: payerAuthenticationOf(provider)!, clock };
}

const card = (number: string): CardInput => ({
  type: 'card',
  number,
  expMonth: 12,
  expYear: 2030,
  cvc: '739',
});
const view = (overrides: Partial<ProviderPaymentView> = {}): ProviderPaymentView => ({
  id: newId('payment'),
  merchantId: newId('merchant'),
  mode: 'test',
  amount: 1_000,
  currency: 'EUR',
  captureMethod: 'automatic',
  orderId: null,
  description: null,
  customer: null,
  returnUrl: null,
  metadata: {},
  paymentRef: null,
  ...overrides,
});

async function challenged(provider: Required<PaymentProvider>, payment = view()) {
  const outcome = await provider.createPayment({
    payment,
    paymentMethod: card(SANDBOX_ISSUER.card),
    returnUrl: 'https://shop.test',
  });
  expect(outcome).toMatchObject({
    status: 'requires_action',
    nextAction: { type: 'redirect', url: `https://payrail.test/pay/${payment.id}/verify` },
    card: { last4: '3220' },
  });
  return payment;
}

describe('payer authentication (sandbox issuer)', () => {
  it('4000000000003220 needs the code; 123456 continues the authorization', async () => {
    const { provider, auth } = await boot();
    const payment = await challenged(provider);
    // Nothing reached the acquirer yet; sync keeps asking for the code.
    expect(await provider.syncPayment({ payment })).toMatchObject({ status: 'requires_action' });
    expect(auth.attemptsLeft(payment.id)).toBe(3);
    expect(await auth.verify({ paymentId: payment.id, code: '000000' })).toEqual({
      state: 'pending',
      attemptsLeft: 2,
    });
    expect(await auth.verify({ paymentId: payment.id, code: SANDBOX_ISSUER.code })).toEqual({
      state: 'authenticated',
    });
    const [a, b] = await Promise.all([provider.syncPayment({ payment }), provider.syncPayment({ payment })]);
    expect(a).toMatchObject({
      status: 'succeeded',
      card: { authentication: 'authenticated', last4: '3220' },
    });
    expect(b.paymentRef).toBe(a.paymentRef);
    // Later syncs ask the acquirer as usual.
    expect(await provider.syncPayment({ payment: { ...payment, paymentRef: a.paymentRef! } })).toMatchObject({
      status: 'succeeded',
    });
    expect(await auth.statistics(SANDBOX_ISSUER.id)).toEqual({ challenges: 1, successes: 1, failures: 0 });
  });

  it('three wrong codes fail the payment with authentication_failed, even sent at once', async () => {
    const { provider, auth } = await boot();
    const payment = await challenged(provider);
    const results = await Promise.all(
      ['111111', '222222', '333333', '123456'].map((code) => auth.verify({ paymentId: payment.id, code })),
    );
    // Each try takes an attempt before argon2 runs: the three wrong ones settle the challenge as failed,
    // and the fourth (the correct code) found no attempt left.
    expect(results).toEqual([
      { state: 'failed' },
      { state: 'failed' },
      { state: 'failed' },
      { state: 'pending', attemptsLeft: 0 },
    ]);
    expect(auth.state(payment.id)).toBe('failed');
    expect(await auth.verify({ paymentId: payment.id, code: SANDBOX_ISSUER.code })).toEqual({
      state: 'failed',
    });
    expect(await provider.syncPayment({ payment })).toMatchObject({
      status: 'declined',
      decline: { code: 'authentication_failed' },
      card: { authentication: 'failed' },
    });
    expect(await auth.statistics(SANDBOX_ISSUER.id)).toEqual({ challenges: 1, successes: 0, failures: 1 });
  });

  it('an abandoned challenge expires', async () => {
    const { provider, auth, clock } = await boot();
    const payment = await challenged(provider);
    clock.advance(CHALLENGE_TTL_MS + 1);
    expect(await provider.syncPayment({ payment })).toEqual({ status: 'canceled', reason: 'expired' });
    await expect(auth.verify({ paymentId: payment.id, code: SANDBOX_ISSUER.code })).rejects.toMatchObject({
      code: 'PAYRAIL_ERR_INVALID_STATE_TRANSITION',
    });
  });

  it('the sandbox issuer serves test mode only; other cards are not_enrolled', async () => {
    const { provider } = await boot();
    const live = await provider.createPayment({
      payment: view({ mode: 'live' }),
      paymentMethod: card(SANDBOX_ISSUER.card),
      returnUrl: 'https://shop.test',
    });
    expect(live).toMatchObject({ status: 'succeeded', card: { authentication: 'not_enrolled' } });
  });

  it('an issuer range without this card enrolled is "attempted"; a custom directory is used', async () => {
    const directory = new MemoryIssuerDirectory();
    directory.addRange({ issuerId: 'bank_a', first: '555555', last: '555555' });
    directory.enrol({
      issuerId: 'bank_a',
      fingerprint: cardFingerprint('5555555555554444', KEY),
      codeHash: await hashSecretCode('4321'),
    });
    const { provider, auth } = await boot({ fingerprintKey: KEY, issuerDirectory: directory });
    const attempted = await provider.createPayment({
      payment: view(),
      paymentMethod: card('5555555555551119'),
      returnUrl: 'https://shop.test',
    });
    expect(attempted).toMatchObject({ card: { authentication: 'attempted' } });
    const payment = view();
    const outcome = await provider.createPayment({
      payment,
      paymentMethod: card('5555555555554444'),
      returnUrl: 'https://shop.test',
    });
    expect(outcome.status).toBe('requires_action');
    expect(await auth.verify({ paymentId: payment.id, code: '4321' })).toEqual({ state: 'authenticated' });
    // The sandbox issuer is not part of a custom directory.
    const sandboxCard = await provider.createPayment({
      payment: view(),
      paymentMethod: card(SANDBOX_ISSUER.card),
      returnUrl: 'https://shop.test',
    });
    expect(sandboxCard.status).toBe('succeeded');
  });
});

describe('issuer directories and statistics counters', () => {
  async function bankDirectory() {
    const directory = new MemoryIssuerDirectory();
    directory.addRange({ issuerId: 'bank_a', first: '555555', last: '555555' });
    directory.enrol({
      issuerId: 'bank_a',
      fingerprint: cardFingerprint('5555555555554444', KEY),
      codeHash: await hashSecretCode('4321'),
    });
    return directory;
  }

  it('sandboxIssuer: true keeps the sandbox issuer in front of a custom directory', async () => {
    const { provider } = await boot({
      fingerprintKey: KEY,
      issuerDirectory: await bankDirectory(),
      sandboxIssuer: true,
    });
    for (const number of [SANDBOX_ISSUER.card, '5555555555554444']) {
      const outcome = await provider.createPayment({
        payment: view(),
        paymentMethod: card(number),
        returnUrl: 'https://shop.test',
      });
      expect(outcome.status, number).toBe('requires_action');
    }
  });

  it('ChainedIssuerDirectory: the first directory knowing the PAN answers; enrolments from any', async () => {
    const chained = new ChainedIssuerDirectory([await sandboxIssuerDirectory(KEY), await bankDirectory()]);
    expect(await chained.issuerFor({ pan: SANDBOX_ISSUER.card, mode: 'test' })).toBe(SANDBOX_ISSUER.id);
    expect(await chained.issuerFor({ pan: SANDBOX_ISSUER.card, mode: 'live' })).toBeNull();
    expect(await chained.issuerFor({ pan: '5555555555554444', mode: 'live' })).toBe('bank_a');
    const fingerprint = cardFingerprint('5555555555554444', KEY);
    expect(await chained.enrolment({ issuerId: 'bank_a', fingerprint, mode: 'test' })).toMatchObject({
      issuerId: 'bank_a',
    });
    expect(await chained.enrolment({ issuerId: 'bank_b', fingerprint, mode: 'test' })).toBeNull();
  });

  it('counts go to the configured counter, per issuer and mode; a failing counter fails no payment', async () => {
    const counted: string[] = [];
    const counter: IssuerStatisticsCounter = {
      async increment({ issuerId, mode, statistic }) {
        counted.push(`${issuerId}:${mode}:${statistic}`);
      },
      read: async () => ({ challenges: 7, successes: 0, failures: 0 }),
    };
    const { provider, auth } = await boot({
      fingerprintKey: KEY,
      issuerDirectory: await bankDirectory(),
      issuerStatistics: counter,
    });
    const payment = view({ mode: 'live' });
    await provider.createPayment({
      payment,
      paymentMethod: card('5555555555554444'),
      returnUrl: 'https://s.test',
    });
    await auth.verify({ paymentId: payment.id, code: '4321' });
    expect(counted).toEqual(['bank_a:live:challenges', 'bank_a:live:successes']);
    expect(await auth.statistics('bank_a', 'live')).toEqual({ challenges: 7, successes: 0, failures: 0 });

    const broken: IssuerStatisticsCounter = {
      increment: () => Promise.reject(new Error('store down')),
      read: async () => ({ challenges: 0, successes: 0, failures: 0 }),
    };
    const failing = await boot({ fingerprintKey: KEY, issuerStatistics: broken });
    const other = await challenged(failing.provider);
    expect(await failing.auth.verify({ paymentId: other.id, code: SANDBOX_ISSUER.code })).toEqual({
      state: 'authenticated',
    });
  });
});

describe('inRange', () => {
  it.each([
    ['4000000000003220', '400000', '400000', true],
    ['4000010000003220', '400000', '400000', false],
    ['2200000000000004', '2200', '2204', true],
    ['2205000000000004', '2200', '2204', false],
    ['22', '2200', '2204', false],
  ])('%s in [%s, %s] → %s', (pan, first, last, expected) => {
    expect(inRange(pan, { first, last })).toBe(expected);
  });
});

describe('PayerAuthentication without a challenge', () => {
  it('verify of an unknown payment is refused', async () => {
    const auth = new PayerAuthentication({
      directory: new MemoryIssuerDirectory(),
      fingerprintKey: KEY,
      clock: new ManualClock(0),
    });
    await expect(auth.verify({ paymentId: 'pay_x', code: '1' })).rejects.toMatchObject({
      code: 'PAYRAIL_ERR_INVALID_STATE_TRANSITION',
    });
    expect(auth.state('pay_x')).toBeUndefined();
  });
});
