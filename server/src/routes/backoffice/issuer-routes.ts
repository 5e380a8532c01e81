import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { accountOf } from '../../accounts/account-request';
import { requirePspPermission } from '../../accounts/roles';
import { createIssuer } from '../../issuers/create-issuer';

const createIssuerBody = z.strictObject({
  name: z
    .string({ error: 'name must be a string' })
    .trim()
    .min(1, { error: 'name is required' })
    .max(200, { error: 'name must be at most 200 characters' }),
});

/**
 * `POST /v1/backoffice/issuers`: PSP staff with `issuers:manage` create an issuer account; the answer
 * carries its test and live keys, once (as `payrail issuer create` prints them).
 */
export const backofficeIssuerRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post('/issuers', { schema: { body: createIssuerBody } }, async (request, reply) => {
    const { user } = accountOf(request);
    requirePspPermission(user, 'issuers:manage');
    const created = await createIssuer(app.services.store, {
      name: request.body.name,
      now: app.services.clock.now(),
    });
    request.log.info({ issuerId: created.issuer.id, by: user.id }, 'back office: issuer created');
    return reply.code(201).send({
      issuer: {
        id: created.issuer.id,
        object: 'issuer',
        name: created.issuer.name,
        created_at: created.issuer.createdAt.toISOString(),
      },
      keys: created.keys,
    });
  });
};
