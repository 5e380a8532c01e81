import { isId, PayrailError } from '@payrail/core';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { scopeOf } from '../../http/auth';
import { listPage } from '../../http/list-page';
import { errorResponses } from '../../http/schemas/common';
import { eventListSchema, eventResource, listEventsQuery } from '../../http/schemas/events';

/** The outbox as a list: every state change of the caller's payments and refunds, newest first. */
export const eventRoutes: FastifyPluginAsyncZod = async (app) => {
  const { store } = app.services;

  app.get(
    '/events',
    {
      schema: {
        tags: ['events'],
        security: [{ apiKey: [] }],
        summary: 'List events, newest first',
        querystring: listEventsQuery,
        response: { 200: eventListSchema, ...errorResponses },
      },
    },
    async (request) => {
      const q = request.query;
      if (q.starting_after !== undefined && !isId('event', q.starting_after)) {
        throw new PayrailError('PAYRAIL_ERR_VALIDATION', {
          param: 'starting_after',
          message: 'starting_after must be an event id (evt_…) from a previous page.',
        });
      }
      const page = await store.events.list({
        ...scopeOf(request),
        limit: q.limit,
        startingAfter: q.starting_after,
        type: q.type,
      });
      return listPage(page, eventResource);
    },
  );
};
