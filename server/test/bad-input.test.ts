import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiResponse,
  CARD,
  cardPayload,
  createTestApp,
  inject,
  snapshot,
  type TestApp,
  type TestMerchant,
} from './helpers/test-app';

/**
 * Every bad input is a 4xx with a named code, and writes nothing. No input can produce a 500.
 */
describe('bad input', () => {
  let t: TestApp;
  let m: TestMerchant;
  let paidId: string;
  let authorizedId: string;
  let failedId: string;
  let unpaidId: string;

  const valid = { amount: 1000, currency: 'usd', method: 'card' };

  beforeAll(async () => {
    t = await createTestApp();
    m = await t.createMerchant();
    const mk = async (body: Record<string, unknown> = {}) =>
      (await m.test.post('/v1/payments', { ...valid, ...body })).body.id as string;
    paidId = await mk();
    await t.anonymous.post(`/pay/${paidId}`, cardPayload());
    authorizedId = await mk({ capture_method: 'manual' });
    await t.anonymous.post(`/pay/${authorizedId}`, cardPayload());
    failedId = await mk();
    await t.anonymous.post(`/pay/${failedId}`, cardPayload(CARD.declined));
    unpaidId = await mk();
  });
  afterAll(async () => {
    await t?.close();
  });

  /** Runs the request and checks status, code, param — and that the merchant's data did not change. */
  async function rejects(send: () => Promise<ApiResponse>, status: number, code: string, param?: string) {
    const before = await snapshot(t.store, m.id);
    const r = await send();
    expect(r.statusCode).toBe(status);
    expect(r.body.error?.code).toBe(code);
    expect(r.body.error?.message).toEqual(expect.any(String));
    if (param !== undefined) expect(r.body.error?.param).toBe(param);
    expect(await snapshot(t.store, m.id)).toEqual(before);
    return r;
  }

  const create =
    (body: unknown, headers: Record<string, string> = {}) =>
    () =>
      m.test.post('/v1/payments', body, headers);

  it('malformed JSON, null, arrays and scalars as the body', async () => {
    await rejects(create('{"amount": 10,'), 400, 'PAYRAIL_ERR_MALFORMED_JSON');
    await rejects(create('{"__proto__": {"admin": true}}'), 400, 'PAYRAIL_ERR_MALFORMED_JSON');
    await rejects(create('null'), 400, 'PAYRAIL_ERR_VALIDATION');
    await rejects(create('[]'), 400, 'PAYRAIL_ERR_VALIDATION');
    await rejects(create('"text"'), 400, 'PAYRAIL_ERR_VALIDATION');
    await rejects(() => m.test.post('/v1/payments'), 400, 'PAYRAIL_ERR_VALIDATION');
  });

  it('amounts: zero, negative, fractional, strings, too large, missing', async () => {
    await rejects(create({ ...valid, amount: 0 }), 400, 'PAYRAIL_ERR_AMOUNT_INVALID', 'amount');
    await rejects(create({ ...valid, amount: -5 }), 400, 'PAYRAIL_ERR_AMOUNT_INVALID', 'amount');
    await rejects(create({ ...valid, amount: 10.5 }), 400, 'PAYRAIL_ERR_AMOUNT_INVALID', 'amount');
    await rejects(create({ ...valid, amount: 1e16 }), 400, 'PAYRAIL_ERR_AMOUNT_TOO_LARGE', 'amount');
    await rejects(create({ ...valid, amount: 10 ** 15 + 1 }), 400, 'PAYRAIL_ERR_AMOUNT_TOO_LARGE', 'amount');
    await rejects(create({ ...valid, amount: null }), 400, 'PAYRAIL_ERR_VALIDATION', 'amount');
    const { amount: _, ...noAmount } = valid;
    await rejects(create(noAmount), 400, 'PAYRAIL_ERR_VALIDATION', 'amount');
    const text = await rejects(
      create({ ...valid, amount: '10.50' }),
      400,
      'PAYRAIL_ERR_VALIDATION',
      'amount',
    );
    expect(text.body.error?.message).toMatch(/integer/);
    expect(text.body.error?.message).toMatch(/minor units/);
    // Precision: amounts are integers of minor units, so any fraction is excess precision.
    await rejects(
      create({ ...valid, currency: 'JPY', amount: 100.5 }),
      400,
      'PAYRAIL_ERR_AMOUNT_INVALID',
      'amount',
    );
    await rejects(
      create({ ...valid, currency: 'KWD', amount: 1.0001 }),
      400,
      'PAYRAIL_ERR_AMOUNT_INVALID',
      'amount',
    );
  });

  it('currencies: unknown codes and wrong types', async () => {
    for (const currency of ['XYZ', 'usdd', 'US', '', '840', 'toString']) {
      await rejects(create({ ...valid, currency }), 400, 'PAYRAIL_ERR_CURRENCY_UNKNOWN', 'currency');
    }
    await rejects(create({ ...valid, currency: 840 }), 400, 'PAYRAIL_ERR_VALIDATION', 'currency');
  });

  it('wrong types, unknown fields and bad nested values name the field', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ ...valid, method: 'bitcoin' }, 'method'],
      [{ ...valid, method: 1 }, 'method'],
      [{ ...valid, capture_method: 'later' }, 'capture_method'],
      [{ ...valid, order_id: 42 }, 'order_id'],
      [{ ...valid, customer: 'bob' }, 'customer'],
      [{ ...valid, customer: { email: 'not-an-email' } }, 'customer.email'],
      [{ ...valid, customer: { email: 'a@b.co', name: 'Bob' } }, 'customer.name'],
      [{ ...valid, return_url: 'javascript:alert(1)' }, 'return_url'],
      [{ ...valid, metadata: { a: 1 } }, 'metadata.a'],
      [
        { ...valid, metadata: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v'])) },
        'metadata',
      ],
      [{ ...valid, amount_captured: 1000 }, 'amount_captured'],
      [{ ...valid, status: 'succeeded' }, 'status'],
    ];
    for (const [body, param] of cases) {
      const r = await rejects(create(body), 400, 'PAYRAIL_ERR_VALIDATION', param);
      expect(r.body.error?.message).toContain(param);
    }
  });

  it('content types and body size', async () => {
    await rejects(
      create(JSON.stringify(valid), { 'content-type': 'text/plain' }),
      415,
      'PAYRAIL_ERR_UNSUPPORTED_MEDIA_TYPE',
    );
    await rejects(
      create('amount=1000&currency=usd', { 'content-type': 'application/x-www-form-urlencoded' }),
      415,
      'PAYRAIL_ERR_UNSUPPORTED_MEDIA_TYPE',
    );
    const big = JSON.stringify({ ...valid, description: 'x'.repeat(200 * 1024) });
    await rejects(create(big), 413, 'PAYRAIL_ERR_BODY_TOO_LARGE');
    await rejects(
      () => t.anonymous.post(`/pay/${unpaidId}`, { ...cardPayload(), holder: 'x'.repeat(200 * 1024) }),
      413,
      'PAYRAIL_ERR_BODY_TOO_LARGE',
    );
  });

  it('authentication: missing, malformed, unknown keys', async () => {
    const bare = (authorization?: string) => () =>
      inject(t.app, {
        method: 'POST',
        url: '/v1/payments',
        headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
        payload: JSON.stringify(valid),
      });
    const missing = await rejects(bare(), 401, 'PAYRAIL_ERR_AUTH_MISSING');
    expect(missing.headers['www-authenticate']).toMatch(/^Bearer/);
    await rejects(bare('Bearer'), 401, 'PAYRAIL_ERR_AUTH_INVALID');
    await rejects(bare(`Basic ${Buffer.from('a:b').toString('base64')}`), 401, 'PAYRAIL_ERR_AUTH_INVALID');
    await rejects(bare('Bearer sk_test_short'), 401, 'PAYRAIL_ERR_AUTH_INVALID');
    await rejects(bare(`Bearer sk_test_${'A'.repeat(32)}`), 401, 'PAYRAIL_ERR_AUTH_INVALID');
    await rejects(
      bare(`Bearer ${m.testKey.replace('sk_test_', 'sk_live_')}`),
      401,
      'PAYRAIL_ERR_AUTH_INVALID',
    );
    await rejects(bare(`Bearer pk_test_${'A'.repeat(32)}`), 401, 'PAYRAIL_ERR_AUTH_INVALID');
    // Auth is checked before the body is even parsed.
    await rejects(
      () =>
        inject(t.app, {
          method: 'POST',
          url: '/v1/payments',
          headers: { 'content-type': 'application/json' },
          payload: '{',
        }),
      401,
      'PAYRAIL_ERR_AUTH_MISSING',
    );
    const get = await inject(t.app, { method: 'GET', url: `/v1/payments/${paidId}` });
    expect(get.statusCode).toBe(401);
  });

  it('invalid state transitions are 422 and change nothing', async () => {
    await rejects(
      () => m.test.post(`/v1/payments/${failedId}/capture`),
      422,
      'PAYRAIL_ERR_INVALID_STATE_TRANSITION',
    );
    await rejects(
      () => m.test.post(`/v1/payments/${paidId}/capture`),
      422,
      'PAYRAIL_ERR_INVALID_STATE_TRANSITION',
    );
    await rejects(
      () => m.test.post(`/v1/payments/${authorizedId}/capture`, { amount: 1001 }),
      422,
      'PAYRAIL_ERR_CAPTURE_AMOUNT',
      'amount',
    );
    await rejects(
      () => m.test.post(`/v1/payments/${paidId}/refunds`, { amount: 1001 }),
      422,
      'PAYRAIL_ERR_REFUND_AMOUNT',
      'amount',
    );
    await rejects(
      () => m.test.post(`/v1/payments/${authorizedId}/refunds`),
      422,
      'PAYRAIL_ERR_INVALID_STATE_TRANSITION',
    );
    await rejects(
      () => m.test.post(`/v1/payments/${unpaidId}/refunds`),
      422,
      'PAYRAIL_ERR_INVALID_STATE_TRANSITION',
    );
    await rejects(
      () => m.test.post(`/v1/payments/${failedId}/refunds`),
      422,
      'PAYRAIL_ERR_INVALID_STATE_TRANSITION',
    );
    await rejects(
      () => m.test.post(`/v1/payments/${paidId}/cancel`),
      422,
      'PAYRAIL_ERR_INVALID_STATE_TRANSITION',
    );
    await rejects(
      () => t.anonymous.post(`/pay/${paidId}`, cardPayload()),
      422,
      'PAYRAIL_ERR_INVALID_STATE_TRANSITION',
    );
    await rejects(
      () => t.anonymous.post(`/pay/${failedId}`, cardPayload()),
      422,
      'PAYRAIL_ERR_INVALID_STATE_TRANSITION',
    );
  });

  it('capture and refund bodies are validated too', async () => {
    const url = `/v1/payments/${paidId}/refunds`;
    await rejects(() => m.test.post(url, { amount: '10' }), 400, 'PAYRAIL_ERR_VALIDATION', 'amount');
    await rejects(() => m.test.post(url, { amount: 0 }), 400, 'PAYRAIL_ERR_AMOUNT_INVALID', 'amount');
    await rejects(() => m.test.post(url, { amount: 1.5 }), 400, 'PAYRAIL_ERR_AMOUNT_INVALID', 'amount');
    await rejects(
      () => m.test.post(url, { reason: 'x'.repeat(501) }),
      400,
      'PAYRAIL_ERR_VALIDATION',
      'reason',
    );
    await rejects(
      () => m.test.post(url, { amount: 1, currency: 'usd' }),
      400,
      'PAYRAIL_ERR_VALIDATION',
      'currency',
    );
    const capture = `/v1/payments/${authorizedId}/capture`;
    await rejects(() => m.test.post(capture, { amount: -1 }), 400, 'PAYRAIL_ERR_AMOUNT_INVALID', 'amount');
    await rejects(() => m.test.post(capture, { final: true }), 400, 'PAYRAIL_ERR_VALIDATION', 'final');
    await rejects(
      () => m.test.post(`/v1/payments/${unpaidId}/cancel`, { reason: 'x' }),
      400,
      'PAYRAIL_ERR_VALIDATION',
      'reason',
    );
  });

  it('card details on the payment page are validated without echoing them', async () => {
    const pay = (body: unknown) => () => t.anonymous.post(`/pay/${unpaidId}`, body);
    const cases: [unknown, string][] = [
      [cardPayload('4242'), 'number'],
      [{ ...cardPayload(), number: 4242424242424242 }, 'number'],
      [cardPayload(CARD.visa, { cvc: 'abc' }), 'cvc'],
      [cardPayload(CARD.visa, { cvc: 123 }), 'cvc'],
      [cardPayload(CARD.visa, { exp_month: 13 }), 'exp_month'],
      [cardPayload(CARD.visa, { exp_year: '2030' }), 'exp_year'],
      [cardPayload(CARD.visa, { pin: '0000' }), 'pin'],
    ];
    for (const [body, param] of cases) {
      const r = await rejects(pay(body), 400, 'PAYRAIL_ERR_VALIDATION', param);
      expect(JSON.stringify(r.body)).not.toContain('42424242');
    }
    expect((await m.test.get(`/v1/payments/${unpaidId}`)).body.status).toBe('requires_payment_method');
  });

  it('Idempotency-Key must be 1–255 printable ASCII characters', async () => {
    for (const key of ['x'.repeat(256), 'ключ', 'tab\there', 'caf\u00e9']) {
      await rejects(
        () =>
          inject(t.app, {
            method: 'POST',
            url: '/v1/payments',
            headers: {
              authorization: `Bearer ${m.testKey}`,
              'content-type': 'application/json',
              'idempotency-key': Buffer.from(key, 'utf8').toString('latin1'),
            },
            payload: JSON.stringify(valid),
          }),
        400,
        'PAYRAIL_ERR_IDEMPOTENCY_KEY_INVALID',
        'Idempotency-Key',
      );
    }
  });

  it('list parameters: limit, cursors, filters, unknown parameters', async () => {
    const list = (query: string) => () => m.test.get(`/v1/payments?${query}`);
    await rejects(list('limit=0'), 400, 'PAYRAIL_ERR_VALIDATION', 'limit');
    await rejects(list('limit=1000'), 400, 'PAYRAIL_ERR_VALIDATION', 'limit');
    await rejects(list('limit=ten'), 400, 'PAYRAIL_ERR_VALIDATION', 'limit');
    await rejects(list('limit=1.5'), 400, 'PAYRAIL_ERR_VALIDATION', 'limit');
    await rejects(list('starting_after=garbage'), 400, 'PAYRAIL_ERR_VALIDATION', 'starting_after');
    await rejects(list(`starting_after=${'x'.repeat(100)}`), 400, 'PAYRAIL_ERR_VALIDATION', 'starting_after');
    await rejects(list('status=paid'), 400, 'PAYRAIL_ERR_VALIDATION', 'status');
    await rejects(list('created_gte=yesterday'), 400, 'PAYRAIL_ERR_VALIDATION', 'created_gte');
    await rejects(list('sort=amount'), 400, 'PAYRAIL_ERR_VALIDATION', 'sort');
    const events = (query: string) => () => m.test.get(`/v1/events?${query}`);
    await rejects(events('limit=0'), 400, 'PAYRAIL_ERR_VALIDATION', 'limit');
    await rejects(events('limit=101'), 400, 'PAYRAIL_ERR_VALIDATION', 'limit');
    await rejects(events(`starting_after=${paidId}`), 400, 'PAYRAIL_ERR_VALIDATION', 'starting_after');
    await rejects(events('type=DROP TABLE'), 400, 'PAYRAIL_ERR_VALIDATION', 'type');
  });

  it('unknown routes and methods are 404 PAYRAIL_ERR_UNKNOWN_ROUTE', async () => {
    for (const [method, url] of [
      ['GET', '/v2/payments'],
      ['DELETE', `/v1/payments/${paidId}`],
      ['GET', '/v1/payments/x/y/z'],
      ['PUT', '/pay/x'],
    ] as const) {
      const r = await inject(t.app, { method, url, headers: { authorization: `Bearer ${m.testKey}` } });
      expect(r.statusCode, `${method} ${url}`).toBe(404);
      expect(r.body.error.code).toBe('PAYRAIL_ERR_UNKNOWN_ROUTE');
      expect(r.body.error.request_id).toBe(r.headers['request-id']);
    }
  });

  it('no input produces a 500 (property test over arbitrary JSON bodies and query strings)', async () => {
    const targets = [
      '/v1/payments',
      `/v1/payments/${paidId}/refunds`,
      `/v1/payments/${authorizedId}/capture`,
      `/v1/payments/${unpaidId}/cancel`,
      `/pay/${failedId}`,
    ];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...targets), fc.jsonValue(), async (url, body) => {
        const r = await m.test.post(url, JSON.stringify(body));
        expect(r.statusCode).toBeGreaterThanOrEqual(200);
        expect(r.statusCode).toBeLessThan(500);
      }),
      { numRuns: 150 },
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...targets), fc.string({ maxLength: 40 }), async (url, raw) => {
        const r = await m.test.post(url, raw);
        expect(r.statusCode).toBeLessThan(500);
      }),
      { numRuns: 100 },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('/v1/payments', '/v1/events'),
        fc.dictionary(
          fc.constantFrom('limit', 'starting_after', 'status', 'type', 'created_gte', 'x'),
          fc.string(),
        ),
        async (path, query) => {
          const r = await m.test.get(`${path}?${new URLSearchParams(query).toString()}`);
          expect(r.statusCode).toBeLessThan(500);
        },
      ),
      { numRuns: 100 },
    );
  });
});
