import type { StoredCardResource } from '@payrail/plugin-cards';
import { z } from 'zod';
import { type Exact, idParam, listSchema } from './common';

/** A merchant's customer id: their own reference, so free-form but bounded. */
export const customerIdSchema = z
  .string()
  .min(1, { error: 'customer id must not be empty' })
  .max(255, { error: 'customer id is at most 255 characters' });

export const customerParams = z.strictObject({ id: customerIdSchema.describe('Your customer id.') });
export const paymentMethodParams = z.strictObject({ id: idParam.describe('A saved card id (pm_…).') });

/** A saved card as the merchant sees it: brand, first 6, last 4 and expiry — never the number. */
export const paymentMethodSchema = z
  .object({
    id: z.string(),
    object: z.literal('payment_method'),
    type: z.literal('card'),
    livemode: z.boolean(),
    customer_id: z.string(),
    card: z.object({
      brand: z.string(),
      first6: z.string(),
      last4: z.string(),
      exp_month: z.number().int(),
      exp_year: z.number().int(),
    }),
    created_at: z.string(),
  })
  .meta({ id: 'PaymentMethod' });

const _matchesPlugin: Exact<z.output<typeof paymentMethodSchema>, StoredCardResource> = true;
void _matchesPlugin;

export const paymentMethodListSchema = listSchema(paymentMethodSchema);

export const deletedPaymentMethodSchema = z
  .object({ id: z.string(), object: z.literal('payment_method'), deleted: z.literal(true) })
  .meta({ id: 'DeletedPaymentMethod' });
