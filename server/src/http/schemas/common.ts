import { type ErrorCode, isKnownCurrency, MAX_AMOUNT } from '@payrail/core';
import { z } from 'zod';
import { issueCode } from '../validation';

/**
 * Building blocks of the API's zod schemas. The same schemas validate requests, serialize responses and
 * produce the OpenAPI document (fastify-type-provider-zod), so the docs cannot drift from the code.
 */

/** An amount in minor units: an integer JSON number, never a string or a decimal. */
export const amountSchema = (field = 'amount') =>
  z
    .number({
      error: (issue) =>
        issue.input === undefined
          ? `${field} is required`
          : typeof issue.input === 'string'
            ? `${field} must be an integer JSON number of minor units, not a string (send 1050 for 10.50 USD)`
            : `${field} must be an integer number of minor units (e.g. 1050 for 10.50 USD)`,
    })
    .int({
      error: (issue) =>
        issue.code === 'too_big'
          ? `${field} must be at most ${MAX_AMOUNT}`
          : `${field} must be an integer number of minor units (e.g. 1050 for 10.50 USD), not a decimal`,
    })
    .positive({ error: `${field} must be greater than 0` })
    .max(MAX_AMOUNT, { error: `${field} must be at most ${MAX_AMOUNT}` })
    .describe('Integer amount in the currency’s minor units (1050 = 10.50 USD; 500 = 500 JPY).');

/** ISO 4217 code, case-insensitive on input, upper-case after parsing. */
export const currencySchema = z
  .string({
    error: (issue) => (issue.input === undefined ? 'currency is required' : 'currency must be a string'),
  })
  .transform((code) => code.trim().toUpperCase())
  .refine((code) => /^[A-Z]{3}$/.test(code) && isKnownCurrency(code), {
    message: 'not an active ISO 4217 currency code; use a three-letter code such as "USD" or "RUB"',
    ...issueCode('PAYRAIL_ERR_CURRENCY_UNKNOWN' satisfies ErrorCode),
  })
  .describe('Three-letter ISO 4217 currency code, e.g. "USD" (lower case is accepted).');

/** A path id. Its format is checked by the route (a malformed id is a 404, like any unknown id). */
export const idParam = z.string().min(1).max(64);

export const limitSchema = z.coerce
  .number({ error: 'limit must be an integer from 1 to 100' })
  .int({ error: 'limit must be an integer from 1 to 100' })
  .min(1, { error: 'limit must be at least 1' })
  .max(100, { error: 'limit must be at most 100' })
  .default(10)
  .describe('Page size, 1–100 (default 10).');

export const timestampSchema = (field: string) =>
  z.iso
    .datetime({ offset: true, error: `${field} must be an ISO 8601 date-time such as 2026-01-31T00:00:00Z` })
    .transform((value) => new Date(value));

export const errorResponseSchema = z
  .object({
    error: z.object({
      code: z.string().describe('Stable machine-readable code, e.g. PAYRAIL_ERR_VALIDATION.'),
      message: z.string().describe('What went wrong and how to fix it.'),
      param: z.string().optional().describe('The request field at fault, as a dotted path.'),
      details: z.record(z.string(), z.unknown()).optional(),
      request_id: z.string().describe('Quote this when asking for support.'),
    }),
  })
  .meta({ id: 'Error' });

/** Error responses every route can give (documented once, serialized like every other response). */
export const errorResponses = {
  '4xx': errorResponseSchema,
  '5xx': errorResponseSchema,
} as const;

export const nextActionSchema = z
  .discriminatedUnion('type', [
    z.object({ type: z.literal('redirect'), url: z.string() }),
    z.object({ type: z.literal('form_post'), url: z.string(), fields: z.record(z.string(), z.string()) }),
    z.object({ type: z.literal('display_qr'), data: z.string(), imageUrl: z.string().optional() }),
  ])
  .describe('What the buyer must do next, e.g. follow a redirect to the payment page.');

export const listSchema = <T extends z.ZodType>(item: T) =>
  z.object({
    object: z.literal('list'),
    data: z.array(item),
    has_more: z.boolean(),
    next_cursor: z.string().optional().describe('Pass as starting_after to get the next page.'),
  });

/** Compile-time check that a response schema describes exactly what core's resource function returns. */
export type Exact<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
