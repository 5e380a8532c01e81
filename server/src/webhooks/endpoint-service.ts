import {
  isId,
  type Mode,
  newId,
  PayrailError,
  type WebhookEndpoint,
  type WebhookEndpointChange,
} from '@payrail/core';
import type { z } from 'zod';
import type { createEndpointBody } from '../http/schemas/webhooks';
import type { AppServices } from '../services';
import { endpointShopId } from './endpoint-shop';
import { newSigningSecret } from './secret-box';

/**
 * Webhook endpoint operations shared by the merchant API (`/v1/webhook_endpoints`, API key: the key's
 * mode) and the personal account (`/v1/account/webhook_endpoints`, session + financial password). Both
 * scope every call to one merchant and mode; another merchant's endpoint is "not found" like an unknown one.
 */
export type EndpointDeps = Pick<AppServices, 'store' | 'clock' | 'webhookSecrets'>;

export interface EndpointScope {
  merchantId: string;
  mode: Mode;
}

export type CreateEndpointInput = z.output<typeof createEndpointBody>;

export const endpointNotFound = (id: string) =>
  new PayrailError('PAYRAIL_ERR_NOT_FOUND', {
    param: 'id',
    message: `No webhook endpoint ${id.slice(0, 64)}.`,
  });

function assertUrlAllowed(mode: Mode, url: string): void {
  if (mode === 'live' && !url.startsWith('https://')) {
    throw new PayrailError('PAYRAIL_ERR_VALIDATION', {
      param: 'url',
      message: 'Live-mode webhook endpoints must use https://.',
    });
  }
}

/** A new endpoint and its signing secret: the secret is returned here once and only stored sealed. */
export async function createWebhookEndpoint(
  deps: EndpointDeps,
  scope: EndpointScope,
  input: CreateEndpointInput,
): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
  // Read at call time: the box is part of the services, which may be completed after the routes are built.
  const box = deps.webhookSecrets;
  if (!box) {
    throw new PayrailError('PAYRAIL_ERR_CONFIG', {
      message:
        'Webhook endpoints need PAYRAIL_WEBHOOK_SECRETS_KEY on this server (32 bytes, e.g. from `openssl rand -hex 32`), the same on every instance.',
    });
  }
  assertUrlAllowed(scope.mode, input.url);
  // The shop filter (endpoint-shop.ts) applies to both routes alike.
  const shopId = await endpointShopId(deps.store, scope.merchantId, input.shop_id);
  const now = deps.clock.now();
  const id = newId('webhookEndpoint', now.getTime());
  const secret = newSigningSecret();
  const endpoint: WebhookEndpoint = {
    id,
    merchantId: scope.merchantId,
    mode: scope.mode,
    url: input.url,
    eventTypes: [...new Set(input.event_types)],
    description: input.description ?? null,
    shopId,
    sealedSecret: box.seal(secret, id),
    status: 'enabled',
    failingSince: null,
    createdAt: now,
    updatedAt: now,
  };
  await deps.store.webhooks.createEndpoint({ endpoint });
  return { endpoint, secret };
}

/** The merchant's endpoint in this mode (deleted included), or 404. */
export async function getWebhookEndpoint(
  deps: Pick<EndpointDeps, 'store'>,
  scope: EndpointScope,
  id: string,
): Promise<WebhookEndpoint> {
  const endpoint = isId('webhookEndpoint', id)
    ? await deps.store.webhooks.getEndpoint({ ...scope, id })
    : null;
  if (!endpoint) throw endpointNotFound(id);
  return endpoint;
}

/** Changes url, event types, description or enabled state of a not-deleted endpoint; 404 otherwise. */
export async function updateWebhookEndpoint(
  deps: EndpointDeps,
  scope: EndpointScope,
  id: string,
  change: WebhookEndpointChange,
): Promise<WebhookEndpoint> {
  if (change.url !== undefined) assertUrlAllowed(scope.mode, change.url);
  const normalized: WebhookEndpointChange = {
    ...change,
    ...(change.eventTypes ? { eventTypes: [...new Set(change.eventTypes)] } : {}),
  };
  const updated = isId('webhookEndpoint', id)
    ? await deps.store.webhooks.updateEndpoint({ ...scope, id, change: normalized, now: deps.clock.now() })
    : null;
  if (!updated) throw endpointNotFound(id);
  return updated;
}

/** Deletes the endpoint (its pending deliveries are dropped); 404 when there was none to delete. */
export async function deleteWebhookEndpoint(
  deps: EndpointDeps,
  scope: EndpointScope,
  id: string,
): Promise<void> {
  const deleted =
    isId('webhookEndpoint', id) &&
    (await deps.store.webhooks.deleteEndpoint({ ...scope, id, now: deps.clock.now() }));
  if (!deleted) throw endpointNotFound(id);
}
