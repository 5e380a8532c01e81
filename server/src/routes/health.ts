import { PayrailError } from '@payrail/core';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorResponses } from '../http/schemas/common';

/** Liveness (the process answers) and readiness (the store answers) for orchestrators and load balancers. */
export const healthRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/healthz',
    {
      schema: {
        tags: ['health'],
        summary: 'Liveness: the process is up',
        response: { 200: z.object({ status: z.literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/readyz',
    {
      schema: {
        tags: ['health'],
        summary: 'Readiness: the store answers',
        response: { 200: z.object({ status: z.literal('ok'), store: z.string() }), ...errorResponses },
      },
    },
    async (request) => {
      const { store } = app.services;
      try {
        await store.ping();
      } catch (error) {
        request.log.warn({ err: error }, 'readiness check failed: store unavailable');
        throw new PayrailError('PAYRAIL_ERR_STORE_UNAVAILABLE', { cause: error });
      }
      return { status: 'ok' as const, store: store.kind };
    },
  );
};
