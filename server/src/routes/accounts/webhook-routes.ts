import { isId, type WebhookEndpoint, type WebhookEndpointChange } from '@payrail/core';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { accountOf } from '../../accounts/account-request';
import { audit } from '../../accounts/audit';
import type { AccountsDeps } from '../../accounts/deps';
import { authorizeFinancialOperation } from '../../accounts/financial-password';
import { requireMerchantPermission } from '../../accounts/roles';
import { createEndpointBody, endpointIdParams, endpointResource } from '../../http/schemas/webhooks';
import {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  endpointNotFound,
  updateWebhookEndpoint,
} from '../../webhooks/endpoint-service';
import { ok200, ok201 } from './responses';
import { financialProof } from './schemas';

const modeField = z.enum(['test', 'live']);

const listQuery = z.strictObject({ mode: modeField.default('test') });

// The merchant API's create body (url, event_types, description and whatever it gains) plus the mode,
// which an API key would imply, and the financial proof.
const createBody = createEndpointBody.extend({ mode: modeField.default('test'), ...financialProof });

const updateBody = createEndpointBody
  .pick({ url: true, event_types: true, description: true })
  .partial()
  .extend({ enabled: z.boolean().optional(), ...financialProof })
  .refine(
    (b) =>
      b.url !== undefined ||
      b.event_types !== undefined ||
      b.description !== undefined ||
      b.enabled !== undefined,
    {
      message: 'Give at least one of url, event_types, description, enabled.',
    },
  );

const deleteBody = z.strictObject({ ...financialProof }).nullish();

/**
 * Webhook settings from the personal account: a thin layer over the merchant API's endpoint service
 * (webhooks/endpoint-service.ts), with the session instead of an API key (the mode comes with the call)
 * and the financial password (or a step-up token for `webhook_settings.change`) on every change. Owner only.
 */
export const webhookAccountRoutes: FastifyPluginAsyncZod<{ deps: AccountsDeps }> = async (app, { deps }) => {
  const { store, clock } = deps;
  const services = app.services;
  const tags = ['account'];
  const security = [{ session: [] }];

  /** The merchant's not-deleted endpoint in either mode (ids are unique across modes), else 404. */
  async function merchantEndpoint(merchantId: string, id: string): Promise<WebhookEndpoint> {
    if (isId('webhookEndpoint', id)) {
      for (const mode of ['test', 'live'] as const) {
        const endpoint = await store.webhooks.getEndpoint({ merchantId, mode, id });
        if (endpoint && endpoint.status !== 'deleted') return endpoint;
      }
    }
    throw endpointNotFound(id);
  }

  const proofOf = (
    b: { financial_password?: string | undefined; step_up_token?: string | undefined } | null | undefined,
  ) => ({
    financialPassword: b?.financial_password,
    stepUpToken: b?.step_up_token,
  });

  app.get(
    '/webhook_endpoints',
    {
      schema: {
        tags,
        security,
        summary: "The merchant's webhook endpoints in one mode",
        querystring: listQuery,
        response: ok200,
      },
    },
    async (request) => {
      const merchantId = requireMerchantPermission(accountOf(request).user, 'webhooks:manage');
      const endpoints = await store.webhooks.listEndpoints({ merchantId, mode: request.query.mode });
      return { object: 'list', data: endpoints.map((e) => endpointResource(e)), has_more: false };
    },
  );

  app.post(
    '/webhook_endpoints',
    {
      schema: {
        tags,
        security,
        summary:
          'Create a webhook endpoint (financial password required); the secret is shown only in this answer',
        body: createBody,
        response: ok201,
      },
    },
    async (request, reply) => {
      const { user } = accountOf(request);
      const merchantId = requireMerchantPermission(user, 'webhooks:manage');
      const { mode, financial_password, step_up_token, ...input } = request.body;
      await authorizeFinancialOperation(
        deps,
        request,
        user,
        { operation: 'webhook_settings.change', objectId: null, amount: null },
        proofOf(request.body),
      );
      const { endpoint, secret } = await createWebhookEndpoint(services, { merchantId, mode }, input);
      await audit(store, request, clock.now(), user, 'webhook_endpoint.created', {
        webhook_endpoint_id: endpoint.id,
        mode,
        url: endpoint.url,
      });
      return reply.code(201).send(endpointResource(endpoint, secret));
    },
  );

  app.post(
    '/webhook_endpoints/:id',
    {
      schema: {
        tags,
        security,
        summary:
          'Change url, event types, description or enable/disable an endpoint (financial password required)',
        params: endpointIdParams,
        body: updateBody,
        response: ok200,
      },
    },
    async (request) => {
      const { user } = accountOf(request);
      const merchantId = requireMerchantPermission(user, 'webhooks:manage');
      const current = await merchantEndpoint(merchantId, request.params.id);
      const b = request.body;
      await authorizeFinancialOperation(
        deps,
        request,
        user,
        { operation: 'webhook_settings.change', objectId: current.id, amount: null },
        proofOf(b),
      );
      const change: WebhookEndpointChange = {
        ...(b.url !== undefined ? { url: b.url } : {}),
        ...(b.event_types !== undefined ? { eventTypes: b.event_types } : {}),
        ...(b.description !== undefined ? { description: b.description } : {}),
        ...(b.enabled !== undefined ? { status: b.enabled ? 'enabled' : 'disabled' } : {}),
      };
      const updated = await updateWebhookEndpoint(
        services,
        { merchantId, mode: current.mode },
        current.id,
        change,
      );
      await audit(store, request, clock.now(), user, 'webhook_endpoint.updated', {
        webhook_endpoint_id: updated.id,
        changed: Object.keys(change),
      });
      return endpointResource(updated);
    },
  );

  app.delete(
    '/webhook_endpoints/:id',
    {
      schema: {
        tags,
        security,
        summary:
          'Delete a webhook endpoint (financial password required); its pending deliveries are dropped',
        params: endpointIdParams,
        body: deleteBody,
        response: ok200,
      },
    },
    async (request) => {
      const { user } = accountOf(request);
      const merchantId = requireMerchantPermission(user, 'webhooks:manage');
      const current = await merchantEndpoint(merchantId, request.params.id);
      await authorizeFinancialOperation(
        deps,
        request,
        user,
        { operation: 'webhook_settings.change', objectId: current.id, amount: null },
        proofOf(request.body),
      );
      await deleteWebhookEndpoint(services, { merchantId, mode: current.mode }, current.id);
      await audit(store, request, clock.now(), user, 'webhook_endpoint.deleted', {
        webhook_endpoint_id: current.id,
      });
      return { id: current.id, object: 'webhook_endpoint', deleted: true };
    },
  );
};
