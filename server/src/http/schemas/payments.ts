import { DECLINE_CODES, PAYMENT_STATUSES, type PaymentResource } from '@payrail/core';
import { z } from 'zod';
import {
  amountSchema,
  currencySchema,
  type Exact,
  idParam,
  limitSchema,
  listSchema,
  nextActionSchema,
  timestampSchema,
} from './common';
import { paymentBillingBody, paymentClientBody } from './payment-client';
import { shopIdParam } from './shops';

// ─── requests ────────────────────────────────────────────────────────────────────────────────────

const metadataSchema = z
  .record(
    z
      .string()
      .min(1, { error: 'metadata keys must not be empty' })
      .max(40, { error: 'metadata keys are at most 40 characters' }),
    z
      .string({ error: 'metadata values must be strings' })
      .max(500, { error: 'metadata values are at most 500 characters' }),
  )
  .refine((value) => Object.keys(value).length <= 50, { message: 'metadata holds at most 50 keys' })
  .describe(
    'Your own key–value pairs (strings, at most 50 keys). Returned to you, never shown to the buyer.',
  );

const customerSchema = z
  .strictObject({
    id: z.string().min(1).max(255).optional().describe('Your customer id; saved cards belong to it.'),
    email: z.email({ error: 'not a valid email address' }).max(254).optional(),
    phone: z
      .string()
      .regex(/^\+?[0-9 ()-]{5,32}$/, { error: 'use digits with an optional leading "+", e.g. +79991234567' })
      .optional(),
  })
  .describe('The buyer, for receipts and antifraud.');

/** Built per app: the payment methods are those of the registered provider plugins. */
export function createPaymentBody(methods: readonly string[]) {
  const method =
    methods.length > 0
      ? z.enum(methods as [string, ...string[]], {
          error: `method must be one of: ${methods.join(', ')}`,
        })
      : z.string().regex(/^[a-z][a-z0-9_]{0,63}$/);
  return z.strictObject({
    amount: amountSchema(),
    currency: currencySchema,
    method: method.describe('How the buyer pays: "card" opens Payrail’s payment page.'),
    order_id: z.string().min(1).max(255).optional().describe('Your order reference.'),
    description: z.string().max(1000).optional(),
    capture_method: z
      .enum(['automatic', 'manual'], { error: 'capture_method must be "automatic" or "manual"' })
      .optional()
      .describe('"manual" only authorizes; capture later with POST /v1/payments/{id}/capture.'),
    customer: customerSchema.optional(),
    client: paymentClientBody.optional(),
    billing: paymentBillingBody.optional(),
    return_url: z
      .url({ protocol: /^https?$/, error: 'return_url must be an absolute http(s) URL' })
      .max(2048)
      .optional()
      .describe('Where the buyer goes after paying.'),
    metadata: metadataSchema.optional(),
    customer_id: z
      .string()
      .min(1)
      .max(255)
      .optional()
      .describe('Your customer id (same as customer.id): the buyer may save the card for it.'),
    payment_method: z
      .string()
      .regex(/^pm_[0-9A-Za-z]{1,60}$/, { error: 'payment_method must be a saved card id (pm_…)' })
      .optional()
      .describe('A saved card of customer_id (one-click): the buyer then confirms with the CVC only.'),
    shop_id: shopIdParam
      .optional()
      .describe(
        'One of your shops (shop_…): its methods, provider routes and success_url (as default return_url) apply.',
      ),
  });
}

export const paymentIdParams = z.strictObject({ id: idParam.describe('A payment id (pay_…).') });

export const captureBody = z
  .strictObject({
    amount: amountSchema()
      .optional()
      .describe('Amount to capture (default: all of it); the rest is released.'),
  })
  .nullish();

export const cancelBody = z.strictObject({}).nullish();

export const listPaymentsQuery = z.strictObject({
  limit: limitSchema,
  starting_after: z.string().max(64).optional().describe('A payment id: the page starts after it.'),
  status: z
    .enum(PAYMENT_STATUSES, { error: `status must be one of: ${PAYMENT_STATUSES.join(', ')}` })
    .optional(),
  order_id: z.string().min(1).max(255).optional(),
  shop_id: shopIdParam.optional().describe('Only payments of this shop.'),
  created_gte: timestampSchema('created_gte').optional(),
  created_lt: timestampSchema('created_lt').optional(),
});

// ─── responses ───────────────────────────────────────────────────────────────────────────────────

export const paymentSchema = z
  .object({
    id: z.string(),
    object: z.literal('payment'),
    livemode: z.boolean(),
    shop_id: z.string().nullable().describe('The shop the payment was made in; null for none.'),
    status: z.enum(PAYMENT_STATUSES),
    amount: z.number().int(),
    currency: z.string(),
    amount_capturable: z.number().int(),
    amount_captured: z.number().int(),
    amount_refunded: z.number().int(),
    method: z.string(),
    capture_method: z.enum(['automatic', 'manual']),
    order_id: z.string().nullable(),
    description: z.string().nullable(),
    customer: z
      .object({ id: z.string().optional(), email: z.string().optional(), phone: z.string().optional() })
      .nullable(),
    return_url: z.string().nullable(),
    metadata: z.record(z.string(), z.string()),
    card: z
      .object({
        brand: z.string(),
        first6: z.string(),
        last4: z.string(),
        exp_month: z.number().int(),
        exp_year: z.number().int(),
        authentication: z
          .enum(['authenticated', 'failed', 'not_enrolled', 'attempted'])
          .nullable()
          .describe('Payer authentication result (3-D-Secure-like); null when none ran.'),
      })
      .nullable(),
    next_action: nextActionSchema.nullable(),
    decline: z
      .object({ code: z.enum(DECLINE_CODES), provider_code: z.string().nullable(), message: z.string() })
      .nullable(),
    risk: z
      .object({
        decision: z.enum(['allow', 'review', 'challenge', 'deny']),
        score: z.number(),
        reasons: z.array(z.string()),
        errors: z.array(z.string()).optional(),
        rules_version: z
          .string()
          .nullable()
          .describe(
            'The antifraud configuration that decided: `<plugin>:<instance>@<content hash>` per engine; null before it was recorded.',
          ),
      })
      .nullable(),
    client: z
      .object({
        ip: z.string().nullable(),
        user_agent: z.string().nullable(),
        country: z.string().nullable(),
      })
      .nullable()
      .describe('The buyer’s IP (the payment page’s request once paid), user agent and IP country.'),
    billing: z.object({ country: z.string().nullable() }).nullable(),
    provider: z.object({ id: z.string(), instance_id: z.string() }).nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: 'Payment' });

const _paymentSchemaMatchesCore: Exact<z.output<typeof paymentSchema>, PaymentResource> = true;
void _paymentSchemaMatchesCore;

export const paymentListSchema = listSchema(paymentSchema);
