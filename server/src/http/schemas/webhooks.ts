import type { WebhookDelivery, WebhookEndpoint } from '@payrail/core';
import { z } from 'zod';
import { idParam, listSchema } from './common';

const eventType = z
  .string()
  .regex(/^(\*|[a-z_]+\.[a-z_]+)$/, { error: 'each event type looks like "payment.succeeded", or is "*"' });

export const createEndpointBody = z.strictObject({
  url: z
    .url({ protocol: /^https?$/, error: 'url must be an absolute http:// or https:// URL' })
    .max(2048)
    .describe('Where events are POSTed. Live mode requires https.'),
  event_types: z
    .array(eventType)
    .min(1, { error: 'event_types needs at least one type (or "*" for all)' })
    .max(50)
    .describe('Event types to send, e.g. ["payment.succeeded", "refund.succeeded"]; "*" for all.'),
  description: z.string().max(500).nullish(),
  shop_id: z
    .string()
    .min(1)
    .max(64)
    .nullish()
    .describe('Only events of payments (and their refunds) made at this shop of yours; omit for all.'),
});

export const endpointIdParams = z.strictObject({ id: idParam });

export const endpointSchema = z
  .object({
    id: z.string(),
    object: z.literal('webhook_endpoint'),
    livemode: z.boolean(),
    url: z.string(),
    event_types: z.array(z.string()),
    description: z.string().nullable(),
    shop_id: z.string().nullable(),
    status: z.enum(['enabled', 'disabled', 'deleted']),
    failing_since: z.string().nullable(),
    created_at: z.string(),
    secret: z
      .string()
      .optional()
      .describe('The signing secret (whsec_…). Returned ONCE, by the create call; store it then.'),
  })
  .meta({ id: 'WebhookEndpoint' });

export const endpointListSchema = listSchema(endpointSchema);

export const deletedEndpointSchema = z.object({
  id: z.string(),
  object: z.literal('webhook_endpoint'),
  deleted: z.literal(true),
});

export function endpointResource(e: WebhookEndpoint, secret?: string): z.output<typeof endpointSchema> {
  return {
    id: e.id,
    object: 'webhook_endpoint',
    livemode: e.mode === 'live',
    url: e.url,
    event_types: e.eventTypes,
    description: e.description,
    shop_id: e.shopId ?? null,
    status: e.status,
    failing_since: e.failingSince?.toISOString() ?? null,
    created_at: e.createdAt.toISOString(),
    ...(secret ? { secret } : {}),
  };
}

export const deliverySchema = z
  .object({
    id: z.string(),
    object: z.literal('webhook_delivery'),
    event_id: z.string(),
    endpoint_id: z.string(),
    status: z.enum(['pending', 'succeeded', 'failed']),
    attempts: z.array(
      z.object({
        at: z.string(),
        status_code: z.number().nullable().describe('HTTP status, or null when no response came.'),
        error: z.string().nullable(),
        duration_ms: z.number(),
      }),
    ),
    next_attempt_at: z.string().nullable(),
    created_at: z.string(),
  })
  .meta({ id: 'WebhookDelivery' });

export const deliveryListSchema = listSchema(deliverySchema);

export const resendBody = z
  .strictObject({
    endpoint_id: z
      .string()
      .max(64)
      .optional()
      .describe('Only to this endpoint; default every subscribed one.'),
  })
  .optional();

export function deliveryResource(d: WebhookDelivery): z.output<typeof deliverySchema> {
  return {
    id: d.id,
    object: 'webhook_delivery',
    event_id: d.eventId,
    endpoint_id: d.endpointId,
    status: d.status,
    attempts: d.attempts.map((a) => ({
      at: a.at.toISOString(),
      status_code: a.statusCode,
      error: a.error,
      duration_ms: a.durationMs,
    })),
    next_attempt_at: d.nextAttemptAt?.toISOString() ?? null,
    created_at: d.createdAt.toISOString(),
  };
}
