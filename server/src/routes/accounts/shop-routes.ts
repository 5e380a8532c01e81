import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { accountOf } from '../../accounts/account-request';
import type { AccountsDeps } from '../../accounts/deps';
import { requireMerchantPermission } from '../../accounts/roles';
import {
  createShopBody,
  integrationResource,
  listShopsQuery,
  shopIdParams,
  shopResource,
  updateShopBody,
} from '../../http/schemas/shops';
import { shopIntegration } from '../../shops/integration';
import { archiveShop, createShop, getShop, updateShop } from '../../shops/shop-service';
import { ok200, ok201 } from './responses';

/**
 * The merchant's shops from the personal account (`/v1/account/shops`): the same operations and answers
 * as `/v1/shops`, scoped to the user's merchant. Owners manage shops, staff read them (accounts/roles.ts).
 */
export const shopAccountRoutes: FastifyPluginAsyncZod<{ deps: AccountsDeps }> = async (app, { deps }) => {
  const { registry, orchestrator } = app.services;
  const shopDeps = { store: deps.store, registry, clock: deps.clock };
  const tags = ['account'];
  const security = [{ session: [] }];
  const reader = (request: Parameters<typeof accountOf>[0]) =>
    requireMerchantPermission(accountOf(request).user, 'shops:read');
  const manager = (request: Parameters<typeof accountOf>[0]) =>
    requireMerchantPermission(accountOf(request).user, 'shops:manage');

  app.get(
    '/shops',
    {
      schema: {
        tags,
        security,
        summary: "The merchant's shops",
        querystring: listShopsQuery,
        response: ok200,
      },
    },
    async (request) => {
      const shops = await deps.store.shops.list({
        merchantId: reader(request),
        includeArchived: request.query.include_archived === 'true',
      });
      return { object: 'list' as const, data: shops.map(shopResource), has_more: false };
    },
  );

  app.post(
    '/shops',
    { schema: { tags, security, summary: 'Create a shop', body: createShopBody, response: ok201 } },
    async (request, reply) => {
      const shop = await createShop(shopDeps, manager(request), request.body);
      return reply.code(201).send(shopResource(shop));
    },
  );

  app.get(
    '/shops/:id',
    { schema: { tags, security, summary: 'A shop', params: shopIdParams, response: ok200 } },
    async (request) => shopResource(await getShop(shopDeps, reader(request), request.params.id)),
  );

  for (const method of ['PATCH', 'POST'] as const) {
    app.route({
      method,
      url: '/shops/:id',
      schema: {
        tags,
        security,
        summary: 'Update a shop',
        params: shopIdParams,
        body: updateShopBody,
        response: ok200,
      },
      handler: async (request) =>
        shopResource(await updateShop(shopDeps, manager(request), request.params.id, request.body)),
    });
  }

  app.delete(
    '/shops/:id',
    { schema: { tags, security, summary: 'Archive a shop', params: shopIdParams, response: ok200 } },
    async (request) => shopResource(await archiveShop(shopDeps, manager(request), request.params.id)),
  );

  app.get(
    '/shops/:id/integration',
    {
      schema: {
        tags,
        security,
        summary: 'The integration snippet of a shop',
        params: shopIdParams,
        response: ok200,
      },
    },
    async (request) => {
      const shop = await getShop(shopDeps, reader(request), request.params.id);
      return integrationResource(shop.id, shopIntegration(shop, orchestrator.publicUrl));
    },
  );
};
