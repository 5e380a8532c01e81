import { fakeProvider } from '@payrail/testkit';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  type ApiResponse,
  createTestApp,
  FAKE_WEBHOOK_SECRET,
  inject,
  PUBLIC_URL,
  type TestApp,
  type TestMerchant,
} from '../helpers/test-app';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 240_000 });

const SHOP = {
  name: 'Books',
  url: 'https://books.example',
  methods: ['card', 'fake'],
  provider_routes: { fake: 'fake:second' },
  success_url: 'https://books.example/thanks',
  fail_url: 'https://books.example/sorry',
};

describe.each(['pglite', 'postgres', 'mongodb'] as const)('shops API (%s)', (kind) => {
  let t: TestApp;
  let a: TestMerchant;
  let b: TestMerchant;

  beforeAll(async () => {
    // A second instance of the fake provider, so a shop's provider route is visible in the payment.
    t = await createTestApp({
      store: kind,
      plugins: [fakeProvider({ webhookSecret: FAKE_WEBHOOK_SECRET, instanceId: 'second' })],
    });
    a = await t.createMerchant();
    b = await t.createMerchant();
  }, 240_000);
  afterAll(async () => {
    await t?.close();
  });

  const send = (method: 'PATCH' | 'DELETE', url: string, key: string, body?: unknown) =>
    inject(t.app, {
      method,
      url,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });

  async function createShop(m: TestMerchant, body: Record<string, unknown> = SHOP) {
    const res = await m.test.post('/v1/shops', body);
    expect(res.statusCode, res.rawBody).toBe(201);
    return res.body as { id: string } & Record<string, unknown>;
  }

  const expectError = (res: ApiResponse, status: number, code: string, param?: string) => {
    expect(res.statusCode, res.rawBody).toBe(status);
    expect(res.body.error.code).toBe(code);
    if (param !== undefined) expect(res.body.error.param).toBe(param);
  };

  it('creates, reads, lists, updates and archives a shop', async () => {
    const created = await createShop(a);
    expect(created).toMatchObject({
      object: 'shop',
      name: 'Books',
      url: 'https://books.example',
      methods: ['card', 'fake'],
      provider_routes: { fake: 'fake:second' },
      success_url: 'https://books.example/thanks',
      fail_url: 'https://books.example/sorry',
      archived: false,
    });
    expect(created.id).toMatch(/^shop_[0-9A-Z]{26}$/);
    // Shops are the merchant's, not the mode's: the live key sees the same shop.
    expect((await a.live.get(`/v1/shops/${created.id}`)).body).toEqual(created);

    const patched = await send('PATCH', `/v1/shops/${created.id}`, a.testKey, {
      name: 'Books EU',
      fail_url: null,
    });
    expect(patched.statusCode, patched.rawBody).toBe(200);
    expect(patched.body).toMatchObject({ name: 'Books EU', fail_url: null, url: 'https://books.example' });
    // POST on the shop's path updates as well.
    const posted = await a.test.post(`/v1/shops/${created.id}`, { url: 'https://books.example/eu' });
    expect(posted.body).toMatchObject({ name: 'Books EU', url: 'https://books.example/eu' });

    const second = await createShop(a, { name: 'Toys', url: 'https://toys.example', methods: ['card'] });
    expect(second).toMatchObject({ provider_routes: {}, success_url: null, fail_url: null });
    const listed = await a.test.get('/v1/shops');
    expect(listed.body.data.map((s: { id: string }) => s.id)).toEqual([created.id, second.id]);

    const archived = await send('DELETE', `/v1/shops/${second.id}`, a.testKey);
    expect(archived.statusCode).toBe(200);
    expect(archived.body.archived).toBe(true);
    // Archiving is idempotent; an archived shop cannot be changed and leaves the default list.
    expect((await send('DELETE', `/v1/shops/${second.id}`, a.testKey)).body).toEqual(archived.body);
    expectError(await a.test.post(`/v1/shops/${second.id}`, { name: 'x' }), 409, 'PAYRAIL_ERR_SHOP_ARCHIVED');
    expect((await a.test.get('/v1/shops')).body.data.map((s: { id: string }) => s.id)).toEqual([created.id]);
    const all = await a.test.get('/v1/shops?include_archived=true');
    expect(all.body.data.map((s: { id: string }) => s.id)).toEqual([created.id, second.id]);
  });

  it('refuses invalid shops with stable codes and the field at fault', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ ...SHOP, name: '' }, 'name'],
      [{ ...SHOP, url: 'ftp://books.example' }, 'url'],
      [{ ...SHOP, url: undefined }, 'url'],
      [{ ...SHOP, methods: [] }, 'methods'],
      [{ ...SHOP, methods: ['bitcoin'] }, 'methods.0'],
      [{ ...SHOP, methods: ['card', 'card'], provider_routes: {} }, 'methods'],
      [{ ...SHOP, provider_routes: { fake: 'nope' } }, 'provider_routes.fake'],
      [{ ...SHOP, provider_routes: { fake: 'fake:third' } }, 'provider_routes.fake'],
      [{ ...SHOP, provider_routes: { card: 'fake:second' } }, 'provider_routes.card'],
      [{ ...SHOP, methods: ['card'] }, 'provider_routes.fake'],
      [{ ...SHOP, success_url: 'javascript:alert(1)' }, 'success_url'],
      [{ ...SHOP, colour: 'red' }, undefined as never],
    ];
    for (const [body, param] of cases) {
      const res = await a.test.post('/v1/shops', body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('PAYRAIL_ERR_VALIDATION');
      if (param) expect(res.body.error.param, JSON.stringify(body)).toBe(param);
    }
    const shop = await createShop(a);
    expectError(await send('PATCH', `/v1/shops/${shop.id}`, a.testKey, {}), 400, 'PAYRAIL_ERR_VALIDATION');
    // Dropping a method that still has a provider route is refused: the shop stays as it was.
    expectError(
      await send('PATCH', `/v1/shops/${shop.id}`, a.testKey, { methods: ['card'] }),
      400,
      'PAYRAIL_ERR_VALIDATION',
      'provider_routes.fake',
    );
    expect((await a.test.get(`/v1/shops/${shop.id}`)).body.methods).toEqual(['card', 'fake']);
    expectError(await a.test.get('/v1/shops/shop_garbage'), 404, 'PAYRAIL_ERR_SHOP_NOT_FOUND');
  });

  it("another merchant's shop is a 404 on every shop route and for payments, lists and reports", async () => {
    const shop = await createShop(a);
    const url = `/v1/shops/${shop.id}`;
    const answers = [
      await b.test.get(url),
      await b.live.get(url),
      await b.test.get(`${url}/integration`),
      await b.test.post(url, { name: 'Stolen' }),
      await send('PATCH', url, b.testKey, { name: 'Stolen' }),
      await send('DELETE', url, b.testKey),
    ];
    for (const res of answers) expectError(res, 404, 'PAYRAIL_ERR_SHOP_NOT_FOUND');
    expect((await b.test.get('/v1/shops')).body.data.map((s: { id: string }) => s.id)).not.toContain(shop.id);
    expectError(
      await b.test.post('/v1/payments', { amount: 1000, currency: 'RUB', method: 'fake', shop_id: shop.id }),
      404,
      'PAYRAIL_ERR_SHOP_NOT_FOUND',
      'shop_id',
    );
    expectError(
      await b.test.get(`/v1/payments?shop_id=${shop.id}`),
      404,
      'PAYRAIL_ERR_SHOP_NOT_FOUND',
      'shop_id',
    );
    expectError(
      await b.test.get(`/v1/reports/realtime?shop_id=${shop.id}`),
      404,
      'PAYRAIL_ERR_SHOP_NOT_FOUND',
      'shop_id',
    );
    // Nothing of A's shop changed.
    expect((await a.test.get(url)).body).toMatchObject({ name: 'Books', archived: false });
  });

  it("a payment of a shop follows the shop's routes and return URL, and carries shop_id everywhere", async () => {
    const shop = await createShop(a);
    const res = await a.test.post('/v1/payments', {
      amount: 1500,
      currency: 'RUB',
      method: 'fake',
      shop_id: shop.id,
      order_id: 'o-1',
    });
    expect(res.statusCode, res.rawBody).toBe(201);
    expect(res.body).toMatchObject({
      shop_id: shop.id,
      status: 'succeeded',
      return_url: 'https://books.example/thanks',
      provider: { id: 'fake', instance_id: 'second' },
    });
    // Without a shop: the merchant's routing (the first fake instance) and no return URL.
    const plain = await a.test.post('/v1/payments', { amount: 1500, currency: 'RUB', method: 'fake' });
    expect(plain.body.shop_id).toBeNull();
    expect(plain.body.provider.instance_id).not.toBe('second');
    // An explicit return_url wins over the shop's.
    const explicit = await a.test.post('/v1/payments', {
      amount: 1500,
      currency: 'RUB',
      method: 'card',
      shop_id: shop.id,
      return_url: 'https://books.example/order/2',
    });
    expect(explicit.body).toMatchObject({ shop_id: shop.id, return_url: 'https://books.example/order/2' });

    expect((await a.test.get(`/v1/payments/${res.body.id}`)).body.shop_id).toBe(shop.id);
    // The outbox events (what webhooks deliver) carry the payment with its shop.
    const events = await t.store.events.list({
      merchantId: a.id,
      mode: 'test',
      limit: 10,
      objectId: res.body.id,
    });
    expect(events.data.map((e) => e.type)).toEqual(
      expect.arrayContaining(['payment.created', 'payment.succeeded']),
    );
    for (const event of events.data) {
      expect((event.data.object as { shop_id: string }).shop_id).toBe(shop.id);
    }
  });

  it('refuses a method the shop does not accept, an archived shop and an unknown shop', async () => {
    const shop = await createShop(a, { name: 'Cards only', url: 'https://c.example', methods: ['card'] });
    expectError(
      await a.test.post('/v1/payments', { amount: 1000, currency: 'RUB', method: 'fake', shop_id: shop.id }),
      422,
      'PAYRAIL_ERR_SHOP_METHOD_NOT_ENABLED',
      'method',
    );
    expectError(
      await a.test.post('/v1/payments', {
        amount: 1000,
        currency: 'RUB',
        method: 'fake',
        shop_id: 'shop_nope',
      }),
      404,
      'PAYRAIL_ERR_SHOP_NOT_FOUND',
      'shop_id',
    );
    await send('DELETE', `/v1/shops/${shop.id}`, a.testKey);
    expectError(
      await a.test.post('/v1/payments', { amount: 1000, currency: 'RUB', method: 'card', shop_id: shop.id }),
      409,
      'PAYRAIL_ERR_SHOP_ARCHIVED',
      'shop_id',
    );
    // None of the refused requests created a payment of the shop.
    expect((await a.test.get(`/v1/payments?shop_id=${shop.id}`)).body.data).toEqual([]);
  });

  it('lists payments of one shop', async () => {
    const one = await createShop(a);
    const two = await createShop(a);
    const ids: Record<string, string[]> = { [one.id]: [], [two.id]: [] };
    for (const shopId of [one.id, two.id, one.id, two.id, one.id]) {
      const res = await a.test.post('/v1/payments', {
        amount: 100,
        currency: 'RUB',
        method: 'fake',
        shop_id: shopId,
      });
      ids[shopId]?.unshift(res.body.id);
    }
    await a.test.post('/v1/payments', { amount: 100, currency: 'RUB', method: 'fake' });
    const listed = await a.test.get(`/v1/payments?shop_id=${one.id}&limit=100`);
    expect(listed.body.data.map((p: { id: string }) => p.id)).toEqual(ids[one.id]);
    // Pages of a shop's list stay within the shop.
    const page1 = await a.test.get(`/v1/payments?shop_id=${two.id}&limit=1`);
    const page2 = await a.test.get(
      `/v1/payments?shop_id=${two.id}&limit=1&starting_after=${page1.body.next_cursor}`,
    );
    expect([...page1.body.data, ...page2.body.data].map((p: { id: string }) => p.id)).toEqual(ids[two.id]);
    expect(page2.body.has_more).toBe(false);
    // Live mode has no payments of the shop.
    expect((await a.live.get(`/v1/payments?shop_id=${one.id}`)).body.data).toEqual([]);
  });

  it('gives an integration snippet with the shop id and public URL, never a key', async () => {
    const shop = await createShop(a, { ...SHOP, name: 'Books <b>"&\'\nnew line' });
    const res = await a.test.get(`/v1/shops/${shop.id}/integration`);
    expect(res.statusCode, res.rawBody).toBe(200);
    const { payment_button_html: html, curl, node } = res.body;
    expect(res.body.object).toBe('shop.integration');
    for (const text of [html, curl, node]) {
      expect(text).toContain(shop.id);
      expect(text).not.toContain(a.testKey);
      expect(text).not.toContain(a.liveKey);
      expect(text).not.toMatch(/sk_(test|live)_[0-9A-Za-z]{8,}/);
    }
    expect(curl).toContain(`${PUBLIC_URL}/v1/payments`);
    expect(curl).toContain('sk_test_…');
    expect(node).toContain(`'${PUBLIC_URL}/v1/payments'`);
    expect(html).toContain('<form action="https://books.example/checkout" method="post"');
    expect(html).toContain(`name="shop_id" value="${shop.id}"`);
    // The shop name is escaped in HTML and cannot break out of a code comment.
    expect(html).toContain('Books &lt;b&gt;&quot;&amp;');
    expect(html).not.toContain('<b>');
    expect(node.split('\n')[0]).toContain('Books <b>');
    expect(node).not.toContain('\nnew line');
  });
});
