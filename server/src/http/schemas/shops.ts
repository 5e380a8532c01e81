import type { Shop } from '@payrail/core';
import { z } from 'zod';
import { listSchema } from './common';

/** A shop id in a query or body; its format is checked by the route (a malformed id is a 404). */
export const shopIdParam = z.string().min(1).max(64);

export const shopIdParams = z.strictObject({ id: shopIdParam.describe('A shop id (shop_…).') });

const httpUrl = (field: string) =>
  z
    .url({ protocol: /^https?$/, error: `${field} must be an absolute http(s) URL` })
    .max(2048, { error: `${field} is at most 2048 characters` });

const methodName = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,63}$/, { error: 'a payment method looks like "card" or "qiwi_wallet"' });

const shopFields = {
  name: z
    .string()
    .trim()
    .min(1, { error: 'name must not be empty' })
    .max(200, { error: 'name is at most 200 characters' })
    .describe('What the merchant calls the shop, e.g. "Books EU".'),
  url: httpUrl('url').describe('The shop’s site.'),
  methods: z
    .array(methodName)
    .min(1, { error: 'methods needs at least one payment method' })
    .max(50)
    .describe('Payment methods the shop accepts, e.g. ["card", "qiwi_wallet"].'),
  provider_routes: z
    .record(
      methodName,
      z.string().regex(/^[a-z0-9_-]{1,64}:[A-Za-z0-9_-]{1,64}$/, {
        error: 'a provider route looks like "pluginId:instanceId", e.g. "qiwi:shop-2"',
      }),
    )
    .describe(
      'Method → "pluginId:instanceId" of the provider instance serving it for this shop; overrides the merchant’s routes.',
    ),
  success_url: httpUrl('success_url')
    .nullable()
    .describe('Default return_url of the shop’s payments: where the buyer goes after paying.'),
  fail_url: httpUrl('fail_url').nullable().describe('Where the shop wants buyers sent when a payment fails.'),
};

export const createShopBody = z.strictObject({
  ...shopFields,
  provider_routes: shopFields.provider_routes.optional(),
  success_url: shopFields.success_url.optional(),
  fail_url: shopFields.fail_url.optional(),
});

export const updateShopBody = z
  .strictObject({
    name: shopFields.name.optional(),
    url: shopFields.url.optional(),
    methods: shopFields.methods.optional(),
    provider_routes: shopFields.provider_routes.optional(),
    success_url: shopFields.success_url.optional(),
    fail_url: shopFields.fail_url.optional(),
  })
  .refine((body) => Object.keys(body).length > 0, { message: 'send at least one field to change' });

export const listShopsQuery = z.strictObject({
  include_archived: z
    .enum(['true', 'false'], { error: 'include_archived must be "true" or "false"' })
    .optional()
    .describe('"true" lists archived shops too.'),
});

export const shopSchema = z
  .object({
    id: z.string(),
    object: z.literal('shop'),
    name: z.string(),
    url: z.string(),
    methods: z.array(z.string()),
    provider_routes: z.record(z.string(), z.string()),
    success_url: z.string().nullable(),
    fail_url: z.string().nullable(),
    archived: z.boolean(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: 'Shop' });

export const shopListSchema = listSchema(shopSchema);

export const shopIntegrationSchema = z
  .object({
    object: z.literal('shop.integration'),
    shop_id: z.string(),
    payment_button_html: z.string().describe('A form that creates a payment through your server endpoint.'),
    curl: z
      .string()
      .describe('Creating a payment of this shop with curl (your secret key as a placeholder).'),
    node: z.string().describe('The same with Node.js fetch.'),
  })
  .meta({ id: 'ShopIntegration' });

export function shopResource(s: Shop): z.output<typeof shopSchema> {
  return {
    id: s.id,
    object: 'shop',
    name: s.name,
    url: s.url,
    methods: s.methods,
    provider_routes: s.providerRoutes,
    success_url: s.successUrl,
    fail_url: s.failUrl,
    archived: s.archived,
    created_at: s.createdAt.toISOString(),
    updated_at: s.updatedAt.toISOString(),
  };
}

export function integrationResource(
  shopId: string,
  snippet: { paymentButtonHtml: string; curl: string; node: string },
): z.output<typeof shopIntegrationSchema> {
  return {
    object: 'shop.integration',
    shop_id: shopId,
    payment_button_html: snippet.paymentButtonHtml,
    curl: snippet.curl,
    node: snippet.node,
  };
}
