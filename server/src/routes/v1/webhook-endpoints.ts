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
import {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  getWebhookEndpoint,
} from '../../webhooks/endpoint-service';

/** A merchant's webhook endpoints, per mode: `POST/GET/DELETE /v1/webhook_endpoints`. */
export const webhookEndpointRoutes: FastifyPluginAsyncZod = async (app) => {
  const { store } = app.services;
  const tags = ['webhooks'];
  const security = [{ apiKey: [] }];

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
      // The same service as POST /v1/account/webhook_endpoints (webhooks/endpoint-service.ts).
      const { endpoint, secret } = await createWebhookEndpoint(app.services, scopeOf(request), request.body);
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
      return endpointResource(await getWebhookEndpoint(app.services, scopeOf(request), request.params.id));
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
      await deleteWebhookEndpoint(app.services, scopeOf(request), id);
      return { id, object: 'webhook_endpoint' as const, deleted: true as const };
    },
  );
};
