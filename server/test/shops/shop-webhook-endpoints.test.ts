import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { dispatchOutbox } from '../../src/webhooks/dispatcher';
import { createSecretBox } from '../../src/webhooks/secret-box';
import { createTestApp, type TestApp, type TestMerchant } from '../helpers/test-app';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 240_000 });

const SHOP = { url: 'https://shop.example', methods: ['card', 'fake'] };

describe.each(['pglite', 'postgres', 'mongodb'] as const)('per-shop webhook endpoints (%s)', (kind) => {
  let t: TestApp;
  let m: TestMerchant;
  let other: TestMerchant;

  beforeAll(async () => {
    t = await createTestApp({ store: kind });
    t.services.webhookSecrets = createSecretBox(randomBytes(32));
    m = await t.createMerchant();
    other = await t.createMerchant();
  }, 240_000);
  afterAll(async () => {
    await t?.close();
  });

  const createShop = async (owner: TestMerchant, name: string) => {
    const res = await owner.test.post('/v1/shops', { ...SHOP, name });
    expect(res.statusCode, res.rawBody).toBe(201);
    return (res.body as { id: string }).id;
  };

  const createEndpoint = async (body: Record<string, unknown>) => {
    const res = await m.test.post('/v1/webhook_endpoints', {
      url: 'http://127.0.0.1:9/hook',
      event_types: ['*'],
      ...body,
    });
    expect(res.statusCode, res.rawBody).toBe(201);
    return res.body as { id: string; shop_id: string | null };
  };

  const pay = async (shopId?: string) => {
    const res = await m.test.post('/v1/payments', {
      amount: 1500,
      currency: 'usd',
      method: 'fake',
      ...(shopId ? { shop_id: shopId } : {}),
    });
    expect(res.statusCode, res.rawBody).toBe(201);
    return (res.body as { id: string }).id;
  };

  /** Dispatches every pending event, then: endpoint id → the object ids of the events it was given. */
  const deliveredObjects = async (endpointIds: string[]) => {
    while ((await dispatchOutbox({ store: t.store, clock: t.services.clock })) > 0) {}
    const events = await t.store.events.list({ merchantId: m.id, mode: 'test', limit: 100 });
    const byEndpoint = new Map<string, Set<string>>(endpointIds.map((id) => [id, new Set()]));
    for (const event of events.data) {
      const deliveries = await t.store.webhooks.listDeliveries({
        merchantId: m.id,
        mode: 'test',
        eventId: event.id,
      });
      for (const d of deliveries) byEndpoint.get(d.endpointId)?.add(event.objectId);
    }
    return byEndpoint;
  };

  it('sends an endpoint with shop_id only the events of its shop; one without, all of them', async () => {
    const books = await createShop(m, 'Books');
    const games = await createShop(m, 'Games');
    const booksHook = await createEndpoint({ shop_id: books });
    const allHook = await createEndpoint({});
    expect(booksHook.shop_id).toBe(books);
    expect(allHook.shop_id).toBeNull();
    const shown = await m.test.get(`/v1/webhook_endpoints/${booksHook.id}`);
    expect(shown.body).toMatchObject({ id: booksHook.id, shop_id: books });
    const listed = await m.test.get('/v1/webhook_endpoints');
    expect((listed.body as { data: { id: string; shop_id: string | null }[] }).data).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: booksHook.id, shop_id: books }),
        expect.objectContaining({ id: allHook.id, shop_id: null }),
      ]),
    );

    const atBooks = await pay(books);
    const atGames = await pay(games);
    const noShop = await pay();
    const refund = await m.test.post(`/v1/payments/${atBooks}/refunds`, { amount: 500 });
    expect(refund.statusCode, refund.rawBody).toBe(201);
    const refundId = (refund.body as { id: string }).id;

    const delivered = await deliveredObjects([booksHook.id, allHook.id]);
    expect([...(delivered.get(booksHook.id) ?? [])].sort()).toEqual([atBooks, refundId].sort());
    expect([...(delivered.get(allHook.id) ?? [])].sort()).toEqual(
      [atBooks, atGames, noShop, refundId].sort(),
    );
  });

  it("refuses an unknown or another merchant's shop with 404 PAYRAIL_ERR_SHOP_NOT_FOUND", async () => {
    const foreign = await createShop(other, 'Not yours');
    for (const shopId of [foreign, 'shop_00000000000000000000000000']) {
      const res = await m.test.post('/v1/webhook_endpoints', {
        url: 'http://127.0.0.1:9/hook',
        event_types: ['*'],
        shop_id: shopId,
      });
      expect(res.statusCode, res.rawBody).toBe(404);
      expect(res.body).toMatchObject({ error: { code: 'PAYRAIL_ERR_SHOP_NOT_FOUND', param: 'shop_id' } });
    }
  });
});
