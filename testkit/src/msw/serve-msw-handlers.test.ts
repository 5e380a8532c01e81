import { createUndiciHttpClient, PayrailError } from '@payrail/core';
import { delay, HttpResponse, http } from 'msw';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type MswLoopbackServer, serveMswHandlers } from './serve-msw-handlers';

describe('serveMswHandlers (real undici transport against msw handlers)', () => {
  let mock: MswLoopbackServer;
  const client = createUndiciHttpClient({ timeoutMs: 2_000 });

  beforeAll(async () => {
    mock = await serveMswHandlers([
      http.post('*/v1/charges', async ({ request }) => {
        const { amount } = (await request.json()) as { amount: number };
        return HttpResponse.json(
          { id: 'ch_1', amount, auth: request.headers.get('authorization') },
          { status: 201, headers: { 'x-request-id': 'r1' } },
        );
      }),
      http.get('*/v1/charges/:id', ({ params, request }) =>
        HttpResponse.json({ id: params.id, q: new URL(request.url).searchParams.get('expand') }),
      ),
      http.get('*/cookies', () => {
        const headers = new Headers();
        headers.append('set-cookie', 'a=1');
        headers.append('set-cookie', 'b=2');
        return new HttpResponse('ok', { headers });
      }),
      http.post('*/broken', () => HttpResponse.error()),
      http.post('*/slow', async () => {
        await delay(1_000);
        return HttpResponse.json({ late: true });
      }),
      http.post('*/throws', () => {
        throw new Error('handler bug');
      }),
    ]);
  });
  afterEach(() => mock.resetHandlers());
  afterAll(async () => {
    await client.close();
    await mock.close();
  });

  it('answers a POST with the handler response (status, headers, JSON body)', async () => {
    const res = await client.request({
      method: 'POST',
      url: `${mock.origin}/v1/charges`,
      headers: { 'content-type': 'application/json', authorization: 'Bearer sk_test_1' },
      body: JSON.stringify({ amount: 1234 }),
    });
    expect(res.statusCode).toBe(201);
    expect(res.headers['x-request-id']).toBe('r1');
    expect(JSON.parse(res.body)).toEqual({ id: 'ch_1', amount: 1234, auth: 'Bearer sk_test_1' });
  });

  it('passes path params and query strings, and records every request with its body', async () => {
    const res = await client.request({ method: 'GET', url: `${mock.origin}/v1/charges/ch_9?expand=card` });
    expect(JSON.parse(res.body)).toEqual({ id: 'ch_9', q: 'card' });
    await client.request({ method: 'POST', url: `${mock.origin}/v1/charges`, body: '{"amount":5}' });
    expect(mock.requests.map((r) => [r.method, r.url, r.body])).toEqual([
      ['GET', '/v1/charges/ch_9?expand=card', ''],
      ['POST', '/v1/charges', '{"amount":5}'],
    ]);
  });

  it('keeps repeated set-cookie headers', async () => {
    const res = await client.request({ method: 'GET', url: `${mock.origin}/cookies` });
    expect(res.headers['set-cookie']).toBe('a=1, b=2');
  });

  it('answers 404 when no handler matches', async () => {
    const res = await client.request({ method: 'GET', url: `${mock.origin}/nothing` });
    expect(res.statusCode).toBe(404);
    expect(res.body).toContain('no msw handler');
  });

  it('answers 500 when a handler throws', async () => {
    const res = await client.request({ method: 'POST', url: `${mock.origin}/throws`, body: '{}' });
    expect(res.statusCode).toBe(500);
  });

  it('HttpResponse.error() drops the connection → PROVIDER_TIMEOUT, outcome unknown', async () => {
    const err = await client
      .request({ method: 'POST', url: `${mock.origin}/broken`, body: '{}' })
      .catch((e) => e);
    expect(err).toBeInstanceOf(PayrailError);
    expect(err.code).toBe('PAYRAIL_ERR_PROVIDER_TIMEOUT');
    expect(err.outcomeUnknown).toBe(true);
  });

  it('delay() past the client timeout → PROVIDER_TIMEOUT, outcome unknown', async () => {
    const err = await client
      .request({ method: 'POST', url: `${mock.origin}/slow`, body: '{}', timeoutMs: 150 })
      .catch((e) => e);
    expect(err.code).toBe('PAYRAIL_ERR_PROVIDER_TIMEOUT');
    expect(err.outcomeUnknown).toBe(true);
  });

  it('use() overrides handlers until resetHandlers()', async () => {
    mock.use(http.post('*/v1/charges', () => HttpResponse.json({ overridden: true }, { status: 402 })));
    const res = await client.request({
      method: 'POST',
      url: `${mock.origin}/v1/charges`,
      body: '{"amount":1}',
    });
    expect(res.statusCode).toBe(402);
    mock.resetHandlers();
    expect(mock.requests).toEqual([]);
    const again = await client.request({
      method: 'POST',
      url: `${mock.origin}/v1/charges`,
      body: '{"amount":1}',
    });
    expect(again.statusCode).toBe(201);
  });
});
