import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { scopeOf } from '../../http/auth';
import { errorResponses } from '../../http/schemas/common';
import {
  createShopBody,
  integrationResource,
  listShopsQuery,
  shopIdParams,
  shopIntegrationSchema,
  shopListSchema,
  shopResource,
  shopSchema,
  updateShopBody,
} from '../../http/schemas/shops';
import { shopIntegration } from '../../shops/integration';
import { archiveShop, createShop, getShop, updateShop } from '../../shops/shop-service';

/**
 * A merchant's shops (docs/shops.md). Shops belong to the merchant, not to a mode: a test or a live key
 * of the merchant sees the same shops. Another merchant's shop is a 404.
 */
export const shopRoutes: FastifyPluginAsyncZod = async (app) => {
  const { store, registry, clock, orchestrator } = app.services;
  const deps = { store, registry, clock };
  const tags = ['shops'];
  const security = [{ apiKey: [] }];

  app.post(
    '/shops',
    {
      schema: {
        tags,
        security,
        summary: 'Create a shop',
        body: createShopBody,
        response: { 201: shopSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const shop = await createShop(deps, scopeOf(request).merchantId, request.body);
      return reply.code(201).send(shopResource(shop));
    },
  );

  app.get(
    '/shops',
    {
      schema: {
        tags,
        security,
        summary: "The merchant's shops, oldest first",
        querystring: listShopsQuery,
        response: { 200: shopListSchema, ...errorResponses },
      },
    },
    async (request) => {
      const shops = await store.shops.list({
        merchantId: scopeOf(request).merchantId,
        includeArchived: request.query.include_archived === 'true',
      });
      return { object: 'list' as const, data: shops.map(shopResource), has_more: false };
    },
  );

  app.get(
    '/shops/:id',
    {
      schema: {
        tags,
        security,
        summary: 'Retrieve a shop',
        params: shopIdParams,
        response: { 200: shopSchema, ...errorResponses },
      },
    },
    async (request) => shopResource(await getShop(deps, scopeOf(request).merchantId, request.params.id)),
  );

  // PATCH, and POST as well for clients that only send GET and POST.
  for (const method of ['PATCH', 'POST'] as const) {
    app.route({
      method,
      url: '/shops/:id',
      schema: {
        tags,
        security,
        summary: 'Update a shop',
        description: 'Changes the fields sent; the others stay. An archived shop cannot be changed.',
        params: shopIdParams,
        body: updateShopBody,
        response: { 200: shopSchema, ...errorResponses },
      },
      handler: async (request) =>
        shopResource(await updateShop(deps, scopeOf(request).merchantId, request.params.id, request.body)),
    });
  }

  app.delete(
    '/shops/:id',
    {
      schema: {
        tags,
        security,
        summary: 'Archive a shop',
        description:
          'The shop takes no new payments and leaves the list; its payments and reports stay. Idempotent.',
        params: shopIdParams,
        response: { 200: shopSchema, ...errorResponses },
      },
    },
    async (request) => shopResource(await archiveShop(deps, scopeOf(request).merchantId, request.params.id)),
  );

  app.get(
    '/shops/:id/integration',
    {
      schema: {
        tags,
        security,
        summary: 'The integration snippet of a shop',
        description:
          'A payment button and a server-side example (curl, Node fetch) filled with the shop id and this server’s public URL. The secret key is always the placeholder sk_test_….',
        params: shopIdParams,
        response: { 200: shopIntegrationSchema, ...errorResponses },
      },
    },
    async (request) => {
      const shop = await getShop(deps, scopeOf(request).merchantId, request.params.id);
      return integrationResource(shop.id, shopIntegration(shop, orchestrator.publicUrl));
    },
  );
};
