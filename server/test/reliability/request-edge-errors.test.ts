// Regressions found by openapi-fuzz.test.ts:
// - errors the router raises before any route runs (a path parameter longer than Fastify's limit, bad
//   percent-encoding) came back in Fastify's own body (`{"error":"Bad Request","code":
//   "FST_ERR_MAX_PARAM_LENGTH"}`, status 414), not in the API's error shape; and the default limit of 100
//   characters refused customer ids and emails the schemas allow (255);
// - text holding U+0000 (a query parameter `%00`, a JSON string "\u0000") reached PostgreSQL, which
//   refuses it: a 500 (seen on GET /v1/backoffice/tickets?assignee=%00z);
// - PUT /v1/antifraud/rules took any safe integer as expected_version, and one beyond the store's 32-bit
//   version column was a 500.
import { ERROR_CATALOGUE } from '@payrail/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, inject, snapshot, type TestApp, type TestMerchant } from '../helpers/test-app';

describe('router errors in the error shape', () => {
  let t: TestApp;
  let m: TestMerchant;
  beforeAll(async () => {
    t = await createTestApp({ store: 'postgres' });
    m = await t.createMerchant();
  });
  afterAll(() => t?.close());

  const get = (url: string) =>
    inject(t.app, { method: 'GET', url, headers: { authorization: `Bearer ${m.testKey}` } });

  it('a path parameter over the router limit is a 400 with a catalogue code and a request id', async () => {
    for (const url of [`/v1/payments/${'a'.repeat(300)}`, `/pay/${'a'.repeat(5000)}`]) {
      const r = await get(url);
      expect(r.statusCode, r.rawBody).toBe(400);
      expect(r.body.error.code).toBe('PAYRAIL_ERR_VALIDATION');
      expect(Object.keys(ERROR_CATALOGUE)).toContain(r.body.error.code);
      expect(r.body.error.request_id).toMatch(/^req_/);
      expect(r.headers['request-id']).toBe(r.body.error.request_id);
    }
  });

  it('bad percent-encoding in a path parameter is a 400 in the error shape', async () => {
    const r = await get('/v1/payments/%E0%A4%A');
    expect(r.statusCode, r.rawBody).toBe(400);
    expect(r.body.error.code).toBe('PAYRAIL_ERR_VALIDATION');
    expect(r.body.error.request_id).toMatch(/^req_/);
  });

  it('path parameters as long as their schema allows reach the route', async () => {
    // customer ids are up to 255 characters (customer.id on payments); emails up to 254
    const r = await get(`/v1/customers/${'c'.repeat(255)}/payment_methods`);
    expect(r.statusCode, r.rawBody).toBe(200);
    expect(r.body.data).toEqual([]);
    // one over the schema's limit is the schema's 400, with the parameter named
    const over = await get(`/v1/customers/${'c'.repeat(256)}/payment_methods`);
    expect(over.statusCode, over.rawBody).toBe(400);
    expect(over.body.error.param).toBe('id');
  });

  it('U+0000 in a query, a path or a JSON body is a 400 and writes nothing', async () => {
    const before = await snapshot(t.store, m.id);
    const key = { authorization: `Bearer ${m.testKey}` };
    const json = { ...key, 'content-type': 'application/json' };
    const valid = { amount: 1000, currency: 'USD', method: 'card' };
    const requests = [
      { method: 'GET' as const, url: '/v1/payments?order_id=%00', headers: key },
      { method: 'GET' as const, url: '/v1/payments?order_id=a%00b', headers: key },
      { method: 'GET' as const, url: '/v1/payments/pay_%00', headers: key },
      {
        method: 'POST' as const,
        url: '/v1/payments',
        headers: json,
        payload: JSON.stringify({ ...valid, description: 'a\u0000b' }),
      },
      {
        method: 'POST' as const,
        url: '/v1/payments',
        headers: json,
        payload: JSON.stringify({ ...valid, metadata: { 'k\u0000': 'v' } }),
      },
    ];
    for (const request of requests) {
      const r = await inject(t.app, request);
      expect(r.statusCode, `${request.url} ${r.rawBody}`).toBe(400);
      expect(r.body.error.code).toBe('PAYRAIL_ERR_VALIDATION');
      expect(r.body.error.message).toContain('U+0000');
    }
    const body = await inject(t.app, requests[3] as (typeof requests)[number]);
    expect(body.body.error.param).toBe('description');
    expect(await snapshot(t.store, m.id)).toEqual(before);
    // An escaped backslash before "u0000" is not a NUL: that text is stored as sent.
    const literal = await m.test.post('/v1/payments', { ...valid, description: '\\u0000' });
    expect(literal.statusCode, literal.rawBody).toBe(201);
    expect(literal.body.description).toBe('\\u0000');
  });

  it('an antifraud rules expected_version beyond the 32-bit versions is a 400, within them a 409', async () => {
    const put = (expected_version: number) =>
      inject(t.app, {
        method: 'PUT',
        url: '/v1/antifraud/rules',
        headers: { authorization: `Bearer ${m.testKey}`, 'content-type': 'application/json' },
        payload: JSON.stringify({ rules: [], expected_version }),
      });
    for (const version of [2 ** 53 - 1, 2 ** 31 - 1]) {
      const r = await put(version);
      expect(r.statusCode, r.rawBody).toBe(400);
      expect(r.body.error.param).toBe('expected_version');
    }
    const stale = await put(2 ** 31 - 2);
    expect(stale.statusCode, stale.rawBody).toBe(409);
  });
});
