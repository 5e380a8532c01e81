import { isId, newId, PayrailError, type WebhookEndpoint } from '@payrail/core';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { scopeOf } from '../../http/auth';
import { IDEMPOTENCY_HEADER } from '../../http/idempotency';
import { errorResponses } from '../../http/schemas/common';
import {
  createEndpointBody,
  deletedEndpointSchema,
  endpointIdParams,
  endpointListSchema,
  endpointResource,
  endpointSchema,
} from '../../http/schemas/webhooks';
import { newSigningSecret } from '../../webhooks/secret-box';

/** A merchant's webhook endpoints, per mode: `POST/GET/DELETE /v1/webhook_endpoints`. */
export const webhookEndpointRoutes: FastifyPluginAsyncZod = async (app) => {
  const { store, clock } = app.services;
  const tags = ['webhooks'];
  const security = [{ apiKey: [] }];

  const notFound = (id: string) =>
    new PayrailError('PAYRAIL_ERR_NOT_FOUND', { param: 'id', message: `No webhook endpoint ${id}.` });

  app.post(
    '/webhook_endpoints',
    {
      schema: {
        tags,
        security,
        summary: 'Create a webhook endpoint',
        description:
          'The response carries the signing secret, once. Idempotency-Key is ignored here: a stored replay would keep the secret in the database.',
        body: createEndpointBody,
        response: { 201: endpointSchema, ...errorResponses },
      },
      // Runs before the idempotency preHandler of the /v1 context (see description).
      preValidation: async (request) => {
        delete request.headers[IDEMPOTENCY_HEADER];
      },
    },
    async (request, reply) => {
      const box = app.services.webhookSecrets;
      if (!box) {
        throw new PayrailError('PAYRAIL_ERR_CONFIG', {
          message:
            'Webhook endpoints need PAYRAIL_WEBHOOK_SECRETS_KEY on this server (32 bytes, e.g. from `openssl rand -hex 32`), the same on every instance.',
        });
      }
      const scope = scopeOf(request);
      const { url, event_types, description } = request.body;
      if (scope.mode === 'live' && !url.startsWith('https://')) {
        throw new PayrailError('PAYRAIL_ERR_VALIDATION', {
          param: 'url',
          message: 'Live-mode webhook endpoints must use https://.',
        });
      }
      const now = clock.now();
      const id = newId('webhookEndpoint', now.getTime());
      const secret = newSigningSecret();
      const endpoint: WebhookEndpoint = {
        id,
        ...scope,
        url,
        eventTypes: [...new Set(event_types)],
        description: description ?? null,
        sealedSecret: box.seal(secret, id),
        status: 'enabled',
        failingSince: null,
        createdAt: now,
        updatedAt: now,
      };
      await store.webhooks.createEndpoint({ endpoint });
      return reply.code(201).send(endpointResource(endpoint, secret));
    },
  );

  app.get(
    '/webhook_endpoints',
    {
      schema: {
        tags,
        security,
        summary: 'List webhook endpoints (not deleted), oldest first',
        response: { 200: endpointListSchema, ...errorResponses },
      },
    },
    async (request) => {
      const endpoints = await store.webhooks.listEndpoints(scopeOf(request));
      return { object: 'list' as const, data: endpoints.map((e) => endpointResource(e)), has_more: false };
    },
  );

  app.get(
    '/webhook_endpoints/:id',
    {
      schema: {
        tags,
        security,
        summary: 'Get a webhook endpoint (never its secret)',
        params: endpointIdParams,
        response: { 200: endpointSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { id } = request.params;
      const endpoint = isId('webhookEndpoint', id)
        ? await store.webhooks.getEndpoint({ ...scopeOf(request), id })
        : null;
      if (!endpoint) throw notFound(id);
      return endpointResource(endpoint);
    },
  );

  app.delete(
    '/webhook_endpoints/:id',
    {
      schema: {
        tags,
        security,
        summary: 'Delete a webhook endpoint; its pending deliveries are dropped',
        params: endpointIdParams,
        response: { 200: deletedEndpointSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { id } = request.params;
      const deleted =
        isId('webhookEndpoint', id) &&
        (await store.webhooks.deleteEndpoint({ ...scopeOf(request), id, now: clock.now() }));
      if (!deleted) throw notFound(id);
      return { id, object: 'webhook_endpoint' as const, deleted: true as const };
    },
  );
};
