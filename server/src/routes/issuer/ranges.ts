import { type IinRangeRecord, iinRangesOverlap, isId, newId, PayrailError } from '@payrail/core';
import { SANDBOX_ISSUER_RANGE } from '@payrail/plugin-cards';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { errorResponses } from '../../http/schemas/common';
import { issuerScopeOf } from '../../issuers/issuer-auth';
import {
  createRangeBody,
  deletedSchema,
  rangeIdParams,
  rangeListSchema,
  rangeResource,
  rangeSchema,
} from './schemas';

const overlap = (conflict: { first: string; last: string }) =>
  new PayrailError('PAYRAIL_ERR_IIN_RANGE_OVERLAP', {
    param: 'first',
    details: { conflicting_first: conflict.first, conflicting_last: conflict.last },
  });

/** An issuer's IIN ranges, per mode: `POST/GET /v1/issuer/ranges`, `DELETE /v1/issuer/ranges/:id`. */
export const issuerRangeRoutes: FastifyPluginAsyncZod = async (app) => {
  const { store, clock } = app.services;
  const tags = ['issuer'];

  app.post(
    '/ranges',
    {
      schema: {
        tags,
        summary: 'Register an IIN range',
        description:
          'Cards whose number starts with a prefix in [first, last] are yours for payer authentication in the mode of the key. Overlapping another issuer’s range is a 409 PAYRAIL_ERR_IIN_RANGE_OVERLAP.',
        body: createRangeBody,
        response: { 201: rangeSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const scope = issuerScopeOf(request);
      const { first, last } = request.body;
      // The sandbox issuer's card is a registered range too, in test mode.
      if (scope.mode === 'test' && iinRangesOverlap({ first, last }, SANDBOX_ISSUER_RANGE)) {
        throw overlap(SANDBOX_ISSUER_RANGE);
      }
      const now = clock.now();
      const range: IinRangeRecord = {
        id: newId('iinRange', now.getTime()),
        ...scope,
        first,
        last,
        createdAt: now,
      };
      const result = await store.issuers.addRange({ range });
      if (!result.ok) throw overlap(result.conflict);
      return reply.code(201).send(rangeResource(result.range));
    },
  );

  app.get(
    '/ranges',
    {
      schema: {
        tags,
        summary: 'List your IIN ranges',
        response: { 200: rangeListSchema, ...errorResponses },
      },
    },
    async (request) => {
      const ranges = await store.issuers.listRanges(issuerScopeOf(request));
      return { object: 'list' as const, data: ranges.map(rangeResource) };
    },
  );

  app.delete(
    '/ranges/:id',
    {
      schema: {
        tags,
        summary: 'Delete an IIN range',
        description:
          'Cards in it are no longer challenged (their enrolments stay, and count again if a range covers them).',
        params: rangeIdParams,
        response: { 200: deletedSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { id } = request.params;
      const deleted =
        isId('iinRange', id) && (await store.issuers.deleteRange({ ...issuerScopeOf(request), id }));
      if (!deleted) {
        throw new PayrailError('PAYRAIL_ERR_NOT_FOUND', { param: 'id', message: `No IIN range ${id}.` });
      }
      return { id, object: 'iin_range', deleted: true as const };
    },
  );
};
