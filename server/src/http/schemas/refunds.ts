import { REFUND_STATUSES, type RefundResource } from '@payrail/core';
import { z } from 'zod';
import { amountSchema, type Exact, idParam, listSchema } from './common';

export const refundBody = z
  .strictObject({
    amount: amountSchema().optional().describe('Amount to refund (default: everything still refundable).'),
    reason: z.string().min(1).max(500).optional().describe('Why, for your records.'),
  })
  .nullish();

export const refundIdParams = z.strictObject({ id: idParam.describe('A refund id (re_…).') });

export const refundSchema = z
  .object({
    id: z.string(),
    object: z.literal('refund'),
    livemode: z.boolean(),
    payment_id: z.string(),
    status: z.enum(REFUND_STATUSES),
    amount: z.number().int(),
    currency: z.string(),
    reason: z.string().nullable(),
    failure: z.object({ code: z.string(), message: z.string() }).nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: 'Refund' });

const _refundSchemaMatchesCore: Exact<z.output<typeof refundSchema>, RefundResource> = true;
void _refundSchemaMatchesCore;

export const refundListSchema = listSchema(refundSchema);
