import { isId, PayrailError } from '@payrail/core';
import { storedCardResource } from '@payrail/plugin-cards';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { scopeOf } from '../../http/auth';
import { errorResponses } from '../../http/schemas/common';
import {
  customerParams,
  deletedPaymentMethodSchema,
  paymentMethodListSchema,
  paymentMethodParams,
  paymentMethodSchema,
} from '../../http/schemas/payment-methods';

const notFound = (id: string) =>
  new PayrailError('PAYRAIL_ERR_NOT_FOUND', {
    param: 'id',
    message: `No payment method ${id.slice(0, 64)}.`,
  });

/**
 * Saved cards of a merchant's customers (one-click payments). Saved by the buyer on the payment page;
 * the merchant lists and deletes them and pays with one by id, but never sees more than the display data.
 * Another merchant's card (or the other mode's) is a 404.
 */
export const paymentMethodRoutes: FastifyPluginAsyncZod = async (app) => {
  const { store } = app.services;
  const tags = ['payment methods'];
  const security = [{ apiKey: [] }];

  app.get(
    '/customers/:id/payment_methods',
    {
      schema: {
        tags,
        security,
        summary: "List a customer's saved cards",
        params: customerParams,
        response: { 200: paymentMethodListSchema, ...errorResponses },
      },
    },
    async (request) => {
      const cards = await store.storedCards.listByCustomer({
        ...scopeOf(request),
        customerId: request.params.id,
      });
      return { object: 'list' as const, data: cards.map(storedCardResource), has_more: false };
    },
  );

  app.get(
    '/payment_methods/:id',
    {
      schema: {
        tags,
        security,
        summary: 'Retrieve a saved card',
        params: paymentMethodParams,
        response: { 200: paymentMethodSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { id } = request.params;
      const card = isId('paymentMethod', id)
        ? await store.storedCards.get({ ...scopeOf(request), id })
        : null;
      if (!card) throw notFound(id);
      return storedCardResource(card);
    },
  );

  app.delete(
    '/payment_methods/:id',
    {
      schema: {
        tags,
        security,
        summary: 'Delete a saved card',
        description: 'The encrypted card number is erased; payments already made keep their display data.',
        params: paymentMethodParams,
        response: { 200: deletedPaymentMethodSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { id } = request.params;
      const deleted =
        isId('paymentMethod', id) &&
        (await store.storedCards.delete({ ...scopeOf(request), id, deletedAt: app.services.clock.now() }));
      if (!deleted) throw notFound(id);
      return { id, object: 'payment_method' as const, deleted: true as const };
    },
  );
};
