import type { OutboxEvent } from '@payrail/core';
import { z } from 'zod';
import { limitSchema, listSchema } from './common';

export const listEventsQuery = z.strictObject({
  limit: limitSchema,
  starting_after: z.string().max(64).optional().describe('An event id: the page starts after it.'),
  type: z
    .string()
    .regex(/^[a-z_]+\.[a-z_]+$/, { error: 'type looks like "payment.succeeded" or "refund.created"' })
    .optional(),
});

export const eventSchema = z
  .object({
    id: z.string(),
    object: z.literal('event'),
    livemode: z.boolean(),
    type: z.string().describe('e.g. payment.created, payment.succeeded, refund.succeeded'),
    created_at: z.string(),
    data: z
      .record(z.string(), z.unknown())
      .describe('{ object: <the payment or refund> } and related objects.'),
  })
  .meta({ id: 'Event' });

export const eventListSchema = listSchema(eventSchema);

export function eventResource(event: OutboxEvent): z.output<typeof eventSchema> {
  return {
    id: event.id,
    object: 'event',
    livemode: event.mode === 'live',
    type: event.type,
    created_at: event.createdAt.toISOString(),
    data: event.data,
  };
}
