import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardPayload, createTestApp, type TestApp } from './helpers/test-app';

describe('HTTP surface', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('GET /openapi.json is an OpenAPI 3 document of the API', async () => {
    const r = await t.anonymous.get('/openapi.json');
    expect(r.statusCode).toBe(200);
    const doc = r.body;
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.info.title).toBe('Payrail API');
    for (const path of [
      '/v1/payments',
      '/v1/payments/{id}',
      '/v1/payments/{id}/capture',
      '/v1/payments/{id}/cancel',
      '/v1/payments/{id}/refunds',
      '/v1/refunds/{id}',
      '/v1/events',
      '/pay/{paymentId}',
      '/hooks/{plugin}/{instance}',
      '/healthz',
      '/readyz',
    ]) {
      expect(doc.paths, path).toHaveProperty([path]);
    }
    const create = doc.paths['/v1/payments'].post;
    expect(create.security).toEqual([{ apiKey: [] }]);
    const schema = create.requestBody.content['application/json'].schema;
    expect(schema.required).toEqual(expect.arrayContaining(['amount', 'currency', 'method']));
    expect(schema.properties.amount.type).toBe('integer');
    expect(schema.additionalProperties).toBe(false);
    expect(create.responses['201'].content['application/json'].schema.$ref).toBe(
      '#/components/schemas/Payment',
    );
    expect(doc.components.schemas.Payment.properties).toHaveProperty('amount_refunded');
    expect(doc.components.schemas.Error.properties).toHaveProperty('error');
    expect(doc.components.securitySchemes.apiKey).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(JSON.stringify(doc.paths)).not.toContain('/docs');
  });

  it('/docs serves swagger-ui', async () => {
    const r = await t.anonymous.get('/docs');
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/text\/html/);
    expect(r.rawBody).toContain('swagger-ui');
  });

  it('health and readiness', async () => {
    expect((await t.anonymous.get('/healthz')).body).toEqual({ status: 'ok' });
    const ready = await t.anonymous.get('/readyz');
    expect(ready.statusCode).toBe(200);
    expect(ready.body).toEqual({ status: 'ok', store: t.store.kind });
  });

  it('works over a real socket (listen + undici)', async () => {
    const m = await t.createMerchant();
    const server = await createTestApp();
    try {
      await server.app.listen({ port: 0, host: '127.0.0.1' });
      const { port } = server.app.server.address() as AddressInfo;
      const origin = `http://127.0.0.1:${port}`;
      const merchant = await server.createMerchant();
      const created = await request(`${origin}/v1/payments`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${merchant.testKey}`,
          'content-type': 'application/json',
          'idempotency-key': 'socket-1',
        },
        body: JSON.stringify({ amount: 990, currency: 'eur', method: 'card' }),
      });
      expect(created.statusCode).toBe(201);
      expect(created.headers['request-id']).toMatch(/^req_/);
      const payment = (await created.body.json()) as { id: string; next_action: { url: string } };
      expect(payment.next_action.url).toBe(`http://payrail.test/pay/${payment.id}`);

      const paid = await request(`${origin}/pay/${payment.id}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify(cardPayload()),
      });
      expect(paid.statusCode).toBe(200);
      expect(((await paid.body.json()) as { status: string }).status).toBe('succeeded');

      const chunked = await request(`${origin}/v1/payments/${payment.id}/refunds`, {
        method: 'POST',
        headers: { authorization: `Bearer ${merchant.testKey}`, 'content-type': 'application/json' },
        // a streamed body (chunked transfer encoding)
        body: Readable.from(['{"amount":', '90}']),
      });
      expect(chunked.statusCode).toBe(201);
      await chunked.body.dump();

      const big = await request(`${origin}/v1/payments`, {
        method: 'POST',
        headers: { authorization: `Bearer ${merchant.testKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          amount: 1,
          currency: 'usd',
          method: 'card',
          description: 'x'.repeat(300_000),
        }),
      });
      expect(big.statusCode).toBe(413);
      expect(((await big.body.json()) as { error: { code: string } }).error.code).toBe(
        'PAYRAIL_ERR_BODY_TOO_LARGE',
      );

      // Keys of one app are unknown to the other (separate databases).
      const foreign = await request(`${origin}/v1/payments`, {
        headers: { authorization: `Bearer ${m.testKey}` },
      });
      expect(foreign.statusCode).toBe(401);
      await foreign.body.dump();
    } finally {
      await server.close();
    }
  });
});
