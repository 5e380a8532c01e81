import { isId, PayrailError } from '@payrail/core';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { scopeOf } from '../../http/auth';
import { errorResponses, idParam } from '../../http/schemas/common';
import { deliveryListSchema, deliveryResource, resendBody } from '../../http/schemas/webhooks';
import { newDelivery } from '../../webhooks/dispatcher';
import { endpointTakesShop, shopOfEvent } from '../../webhooks/endpoint-shop';

const eventIdParams = z.strictObject({ id: idParam });

/** The delivery log of an event and the manual resend. */
export const eventDeliveryRoutes: FastifyPluginAsyncZod = async (app) => {
  const { store, clock } = app.services;
  const tags = ['webhooks'];
  const security = [{ apiKey: [] }];

  const eventOf = async (scope: ReturnType<typeof scopeOf>, id: string) => {
    const event = isId('event', id) ? await store.webhooks.getEvent({ ...scope, id }) : null;
    if (!event) throw new PayrailError('PAYRAIL_ERR_NOT_FOUND', { param: 'id', message: `No event ${id}.` });
    return event;
  };

  app.get(
    '/events/:id/deliveries',
    {
      schema: {
        tags,
        security,
        summary: "An event's webhook deliveries, with every attempt",
        params: eventIdParams,
        response: { 200: deliveryListSchema, ...errorResponses },
      },
    },
    async (request) => {
      const scope = scopeOf(request);
      const event = await eventOf(scope, request.params.id);
      const deliveries = await store.webhooks.listDeliveries({ ...scope, eventId: event.id });
      return { object: 'list' as const, data: deliveries.map(deliveryResource), has_more: false };
    },
  );

  app.post(
    '/events/:id/resend',
    {
      schema: {
        tags,
        security,
        summary: 'Send an event again (same event id) to its endpoints, or to one',
        description:
          'Queues the delivery now, whatever its status. Endpoints subscribed to the event type that never got it receive it too.',
        params: eventIdParams,
        body: resendBody,
        response: { 202: deliveryListSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const scope = scopeOf(request);
      const event = await eventOf(scope, request.params.id);
      const only = request.body?.endpoint_id;
      // Per-shop endpoints of other shops never take the event, resent or not.
      const shopId = shopOfEvent(event.data);
      let endpoints = (await store.webhooks.endpointsFor({ ...scope, type: event.type })).filter((e) =>
        endpointTakesShop(e, shopId),
      );
      if (only !== undefined) {
        endpoints = endpoints.filter((e) => e.id === only);
        if (endpoints.length === 0) {
          throw new PayrailError('PAYRAIL_ERR_NOT_FOUND', {
            param: 'endpoint_id',
            message: `No enabled webhook endpoint ${only} subscribed to ${event.type}.`,
          });
        }
      }
      const now = clock.now();
      const deliveries = await store.webhooks.resendEvent({
        ...scope,
        eventId: event.id,
        deliveries: endpoints.map((e) => newDelivery(event.id, e, now)),
        now,
      });
      return reply
        .code(202)
        .send({ object: 'list' as const, data: deliveries.map(deliveryResource), has_more: false });
    },
  );
};
