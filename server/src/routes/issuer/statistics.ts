import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { errorResponses } from '../../http/schemas/common';
import { issuerScopeOf } from '../../issuers/issuer-auth';
import { statisticsResource, statisticsSchema } from './schemas';

/** `GET /v1/issuer/statistics`: challenges started, passed and failed for the issuer's cards, per mode. */
export const issuerStatisticsRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/statistics',
    {
      schema: {
        tags: ['issuer'],
        summary: 'Challenge statistics',
        description:
          '`challenges`: payments sent to the challenge page; `successes`: right code entered; `failures`: three wrong codes.',
        response: { 200: statisticsSchema, ...errorResponses },
      },
    },
    async (request) => {
      const scope = issuerScopeOf(request);
      return statisticsResource(await app.services.store.issuers.statistics(scope), scope.mode);
    },
  );
};
