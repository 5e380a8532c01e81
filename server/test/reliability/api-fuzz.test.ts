// Fuzz test of the HTTP API's input handling: fast-check mutates valid requests to the JSON endpoints
// (every field replaced by a wrong value, unknown fields, missing fields, raw bytes, wrong content types,
// bad Idempotency-Key / Authorization headers). Every answer must be a 4xx with the error shape and a code
// from the catalogue, never a 5xx, and the merchant's data must not change. PAYRAIL_RELIABILITY_LONG=1
// runs 10× the budget; PAYRAIL_PROPERTY_SEED=<seed> replays a failure.
import { ERROR_CATALOGUE } from '@payrail/core';
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
} from '../helpers/test-app';

const LONG = process.env.PAYRAIL_RELIABILITY_LONG === '1';
const RUNS = LONG ? 2_000 : 200;
const SEED = process.env.PAYRAIL_PROPERTY_SEED ? Number(process.env.PAYRAIL_PROPERTY_SEED) : undefined;
const params = (numRuns: number) => ({ numRuns, ...(SEED !== undefined ? { seed: SEED } : {}) });

const CODES = new Set(Object.keys(ERROR_CATALOGUE));

/** Values that are never a valid amount (amounts are positive safe integers of minor units). */
const badAmount = fc.oneof(
  fc.integer({ min: -1_000_000, max: 0 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((x) => !Number.isInteger(x)),
  fc.constantFrom(2 ** 53, 1e20, '1000', '', null, true, [], {}, -0.5),
  fc.string({ maxLength: 10 }),
);
const badCurrency = fc.oneof(
  fc.string({ maxLength: 8 }).filter((s) => !/^\s*[A-Za-z]{3}\s*$/.test(s)),
  fc.constantFrom('XXQ', 'QQQ', 'ZZZ', 123, null, [], {}, false),
);
const badMethod = fc.oneof(
  fc.string({ maxLength: 20 }).filter((s) => s !== 'card' && s !== 'fake'),
  fc.constantFrom(null, 1, [], {}, true),
);
const anyJunk = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.integer(),
  fc.constant(null),
  fc.boolean(),
  fc.array(fc.nat(), { maxLength: 3 }),
);
/** An unknown field name for a strict body. */
const unknownKey = (known: string[]) =>
  fc.string({ minLength: 1, maxLength: 12 }).filter((k) => !known.includes(k) && k !== '__proto__');

type Body = Record<string, unknown>;
/** A valid body with exactly one thing wrong with it. */
function mutated(
  valid: Body,
  fields: Record<string, fc.Arbitrary<unknown>>,
  required: string[],
): fc.Arbitrary<Body> {
  const known = Object.keys(fields);
  return fc.oneof(
    ...known.map((field) => fields[field]!.map((value) => ({ ...valid, [field]: value }))),
    fc.tuple(unknownKey(known), anyJunk).map(([k, v]) => ({ ...valid, [k]: v })),
    ...required.map((field) =>
      fc.constant(Object.fromEntries(Object.entries(valid).filter(([k]) => k !== field))),
    ),
  );
}

describe('API fuzzing: generated bad requests are 4xx with a catalogue code and write nothing', () => {
  let t: TestApp;
  let m: TestMerchant;
  let paidId: string;
  let authorizedId: string;
  let unpaidId: string;
  const statuses = new Map<number, number>();

  beforeAll(async () => {
    t = await createTestApp({ store: 'postgres' });
    m = await t.createMerchant();
    const create = async (body: Body = {}) =>
      (await m.test.post('/v1/payments', { amount: 1000, currency: 'USD', method: 'card', ...body })).body
        .id as string;
    paidId = await create();
    expect((await t.anonymous.post(`/pay/${paidId}`, cardPayload())).body.status).toBe('succeeded');
    authorizedId = await create({ capture_method: 'manual' });
    expect((await t.anonymous.post(`/pay/${authorizedId}`, cardPayload())).body.status).toBe('authorized');
    unpaidId = await create();
  }, 120_000);
  afterAll(async () => {
    console.info(`API fuzz: statuses seen ${JSON.stringify(Object.fromEntries(statuses))}`);
    await t?.close();
  });

  /** Sends, then checks the answer and that nothing was written. */
  async function rejected(send: () => Promise<ApiResponse>): Promise<ApiResponse> {
    const before = await snapshot(t.store, m.id);
    const r = await send();
    statuses.set(r.statusCode, (statuses.get(r.statusCode) ?? 0) + 1);
    expect(r.statusCode, r.rawBody).toBeGreaterThanOrEqual(400);
    expect(r.statusCode, r.rawBody).toBeLessThan(500);
    expect(CODES.has(r.body?.error?.code), `unknown error code in ${r.rawBody}`).toBe(true);
    expect(r.body.error.message).toEqual(expect.any(String));
    expect(await snapshot(t.store, m.id)).toEqual(before);
    return r;
  }

  const post = (url: string, payload: string, headers: Record<string, string>) =>
    inject(t.app, { method: 'POST', url, payload, headers });
  const auth = () => ({ authorization: `Bearer ${m.testKey}`, 'content-type': 'application/json' });

  it('POST /v1/payments: one wrong, unknown or missing field', async () => {
    const valid = { amount: 1000, currency: 'USD', method: 'card' };
    const body = mutated(
      valid,
      {
        amount: badAmount,
        currency: badCurrency,
        method: badMethod,
        capture_method: fc.oneof(
          fc.string({ maxLength: 10 }).filter((s) => s !== 'automatic' && s !== 'manual'),
          anyJunk,
        ),
        return_url: fc.oneof(
          fc.string({ maxLength: 30 }).filter((s) => !/^https?:\/\/./.test(s)),
          fc.constant('ftp://x.test/'),
        ),
        metadata: fc.oneof(
          fc.constantFrom('x', 1, [], null),
          fc.dictionary(fc.constant(''), fc.string(), { minKeys: 1 }),
        ),
        customer: fc.oneof(
          fc.constantFrom('x', 1, []),
          fc.record({ email: fc.string({ maxLength: 10 }).filter((s) => !s.includes('@')) }),
        ),
        order_id: fc.oneof(
          fc.constant(''),
          fc.constantFrom(1, null, [], {}),
          fc.string({ minLength: 256, maxLength: 300 }),
        ),
      },
      ['amount', 'currency', 'method'],
    );
    await fc.assert(
      fc.asyncProperty(body, fc.boolean(), async (b, withKey) => {
        await rejected(() =>
          post('/v1/payments', JSON.stringify(b), {
            ...auth(),
            ...(withKey ? { 'idempotency-key': `fuzz-${Math.random()}` } : {}),
          }),
        );
      }),
      params(RUNS),
    );
  });

  it('capture, refund and the payment page: wrong fields and amounts', async () => {
    const cases = fc.oneof(
      fc
        .tuple(
          badAmount,
          fc.constantFrom(`/v1/payments/${authorizedId}/capture`, `/v1/payments/${paidId}/refunds`),
        )
        .map(([amount, url]) => ({ url, body: { amount }, authed: true })),
      fc
        .tuple(unknownKey(['amount', 'reason']), anyJunk)
        .map(([k, v]) => ({ url: `/v1/payments/${paidId}/refunds`, body: { [k]: v }, authed: true })),
      fc
        .tuple(unknownKey([]), anyJunk)
        .map(([k, v]) => ({ url: `/v1/payments/${unpaidId}/cancel`, body: { [k]: v }, authed: true })),
      // more than captured, and capture on a payment that is not authorized
      fc
        .integer({ min: 1001, max: 10 ** 9 })
        .map((amount) => ({ url: `/v1/payments/${paidId}/refunds`, body: { amount }, authed: true })),
      fc.constant({ url: `/v1/payments/${paidId}/capture`, body: {}, authed: true }),
      mutated(
        cardPayload(),
        {
          number: fc.oneof(
            fc.string({ maxLength: 25 }),
            fc.constantFrom(CARD.visa.slice(0, 15), '4242424242424241', 4242424242424242, null),
          ),
          exp_month: fc.oneof(
            fc.integer({ min: 13, max: 1000 }),
            fc.integer({ min: -100, max: 0 }),
            fc.constantFrom('12', null),
          ),
          exp_year: fc.oneof(fc.integer({ min: 1900, max: 2000 }), fc.constantFrom('2030', null, 1.5)),
          cvc: fc.oneof(
            fc.string({ maxLength: 8 }).filter((s) => !/^\d{3,4}$/.test(s)),
            fc.constantFrom(123, null),
          ),
        },
        ['number', 'cvc'],
      ).map((body) => ({ url: `/pay/${unpaidId}`, body, authed: false })),
    );
    await fc.assert(
      fc.asyncProperty(cases, async ({ url, body, authed }) => {
        await rejected(() =>
          post(url, JSON.stringify(body), authed ? auth() : { 'content-type': 'application/json' }),
        );
      }),
      params(RUNS),
    );
  });

  it('raw bodies and content types that are not JSON objects', async () => {
    const urls = ['/v1/payments', `/v1/payments/${paidId}/refunds`, `/v1/payments/${authorizedId}/capture`];
    const raw = fc.oneof(
      // not: an empty body, `null` or `{}` — capture and refund take those as "all of it"
      fc.string({ maxLength: 60 }).filter((s) => {
        if (s.trim() === '') return false;
        try {
          const v = JSON.parse(s) as unknown;
          if (v === null) return false;
          return typeof v !== 'object' || Array.isArray(v) ? true : Object.keys(v).length > 0;
        } catch {
          return true;
        }
      }),
      fc.constantFrom(
        '{',
        '{"amount":',
        '[]',
        '"x"',
        '{"amount":1000,"currency":"USD","method":"card"',
        '\u0000',
      ),
    );
    const contentType = fc.constantFrom(
      'application/json',
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/json; charset=latin1',
      'multipart/form-data; boundary=x',
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...urls), raw, contentType, async (url, payload, type) => {
        await rejected(() => post(url, payload, { ...auth(), 'content-type': type }));
      }),
      params(RUNS),
    );
  });

  it('bad Idempotency-Key and Authorization headers on a valid create', async () => {
    const valid = JSON.stringify({ amount: 1000, currency: 'USD', method: 'card' });
    const printable = fc.string({
      unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
    });
    const badKey = fc.oneof(
      fc.string({ unit: fc.constantFrom('a', 'b', '1', '-'), minLength: 256, maxLength: 400 }),
      fc.tuple(printable, fc.constantFrom('\t', 'é', '\u00a0', 'ÿ')).map(([s, c]) => `${s}${c}${s}`),
    );
    const badAuth = fc.oneof(
      printable.map((s) => `Bearer ${s}`),
      printable,
      fc.constantFrom(
        'Bearer ',
        'Basic dXNlcjpwYXNz',
        `bearer  ${'x'.repeat(64)}`,
        `Bearer sk_test_${'0'.repeat(40)}`,
      ),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          badKey.map((key) => ({ ...auth(), 'idempotency-key': key })),
          badAuth.map((authorization) => ({ 'content-type': 'application/json', authorization })),
        ),
        async (headers) => {
          await rejected(() => post('/v1/payments', valid, headers));
        },
      ),
      params(RUNS),
    );
  });

  it('list query parameters', async () => {
    const query = fc.dictionary(
      fc.constantFrom('limit', 'starting_after', 'status', 'order_id', 'created_gte', 'created_lt', 'bogus'),
      fc.oneof(
        fc.string({ maxLength: 30 }),
        fc.constantFrom('0', '101', '-1', '1.5', 'pay_x', 'succeeded ', '2020-13-01'),
      ),
      { minKeys: 1 },
    );
    // only combinations that must be refused: at least one value no schema accepts
    const invalid = query.filter(
      (q) =>
        'bogus' in q ||
        (q.limit !== undefined && !/^(?:[1-9]\d?|100)$/.test(q.limit)) ||
        (q.status !== undefined && q.status === 'succeeded '),
    );
    await fc.assert(
      fc.asyncProperty(invalid, async (q) => {
        await rejected(() =>
          inject(t.app, {
            method: 'GET',
            url: `/v1/payments?${new URLSearchParams(q).toString()}`,
            headers: { authorization: `Bearer ${m.testKey}` },
          }),
        );
      }),
      params(RUNS),
    );
  });
});
