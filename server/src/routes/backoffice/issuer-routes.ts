import type { IssuerApiKey } from '@payrail/core';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { accountOf } from '../../accounts/account-request';
import { audit } from '../../accounts/audit';
import { requirePspPermission } from '../../accounts/roles';
import { createIssuer } from '../../issuers/create-issuer';
import { addIssuerKey, revokeIssuerKey } from '../../issuers/issuer-key-rotation';

const createIssuerBody = z.strictObject({
  name: z
    .string({ error: 'name must be a string' })
    .trim()
    .min(1, { error: 'name is required' })
    .max(200, { error: 'name must be at most 200 characters' }),
});

const issuerIdParams = z.strictObject({ id: z.string().min(1).max(64) });
const issuerKeyParams = z.strictObject({ id: z.string().min(1).max(64), keyId: z.string().min(1).max(64) });
const createKeyBody = z.strictObject({
  mode: z.enum(['test', 'live'], { error: 'mode must be "test" or "live"' }),
});

function issuerKeyResource(key: IssuerApiKey) {
  return {
    id: key.id,
    object: 'issuer_api_key' as const,
    mode: key.mode,
    prefix: key.displayPrefix,
    created_at: key.createdAt.toISOString(),
    revoked_at: key.revokedAt?.toISOString() ?? null,
  };
}

/**
 * Issuer accounts in the back office (PSP staff with `issuers:manage`): create one (its test and live
 * keys are in the answer, once, as `payrail issuer create` prints them), list them with their keys, add a
 * key (rotation) and revoke one. Key changes go to the audit log under the staff member (no merchant).
 */
export const backofficeIssuerRoutes: FastifyPluginAsyncZod = async (app) => {
  const { store, clock } = app.services;

  app.post('/issuers', { schema: { body: createIssuerBody } }, async (request, reply) => {
    const { user } = accountOf(request);
    requirePspPermission(user, 'issuers:manage');
    const created = await createIssuer(store, {
      name: request.body.name,
      now: clock.now(),
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

  app.get('/issuers', async (request) => {
    requirePspPermission(accountOf(request).user, 'issuers:manage');
    const issuers = await store.issuers.list();
    const data = [];
    for (const issuer of issuers) {
      const keys = await store.issuers.listKeys({ issuerId: issuer.id });
      data.push({
        id: issuer.id,
        object: 'issuer' as const,
        name: issuer.name,
        created_at: issuer.createdAt.toISOString(),
        keys: keys.map(issuerKeyResource),
      });
    }
    return { object: 'list', data, has_more: false };
  });

  app.post(
    '/issuers/:id/keys',
    { schema: { params: issuerIdParams, body: createKeyBody } },
    async (request, reply) => {
      const { user } = accountOf(request);
      requirePspPermission(user, 'issuers:manage');
      const now = clock.now();
      const { key, secret } = await addIssuerKey(store, {
        issuerId: request.params.id,
        mode: request.body.mode,
        now,
      });
      await audit(store, request, now, user, 'issuer_key.created', {
        issuer_id: key.issuerId,
        issuer_key_id: key.id,
        mode: key.mode,
      });
      request.log.info(
        { issuerId: key.issuerId, keyId: key.id, by: user.id },
        'back office: issuer key created',
      );
      return reply.code(201).send({ ...issuerKeyResource(key), secret });
    },
  );

  app.delete('/issuers/:id/keys/:keyId', { schema: { params: issuerKeyParams } }, async (request) => {
    const { user } = accountOf(request);
    requirePspPermission(user, 'issuers:manage');
    const now = clock.now();
    const key = await revokeIssuerKey(store, {
      issuerId: request.params.id,
      keyId: request.params.keyId,
      now,
    });
    await audit(store, request, now, user, 'issuer_key.revoked', {
      issuer_id: key.issuerId,
      issuer_key_id: key.id,
    });
    request.log.info(
      { issuerId: key.issuerId, keyId: key.id, by: user.id },
      'back office: issuer key revoked',
    );
    return issuerKeyResource(key);
  });
};
