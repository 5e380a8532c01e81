import { MAX_AMOUNT } from '@payrail/core';
import { z } from 'zod';
import { currencySchema } from '../../http/schemas/common';

const comment = (field: string) =>
  z
    .string({ error: `${field} is required` })
    .trim()
    .min(1, `${field} is required`)
    .max(2000, `${field} must be at most 2000 characters`);

export const idParams = z.strictObject({ id: z.string().min(1).max(64) });
export const applicationIdParams = idParams;

export const applicationQueueQuery = z.strictObject({
  status: z.enum(['draft', 'submitted', 'changes_requested', 'approved', 'rejected']).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  starting_after: z.string().max(64).optional(),
});

export const requestChangesBody = z.strictObject({ comment: comment('comment') });
export const rejectBody = z.strictObject({ reason: comment('reason') });

/** A fixed fee per currency in minor units (e.g. `{ "RUB": 3000 }` for 30.00 RUB a payment). */
const fixedFees = z
  .record(
    z.string().regex(/^[A-Z]{3}$/, 'fixed fee currencies are three-letter ISO 4217 codes such as RUB'),
    z.number().int().min(0).max(MAX_AMOUNT),
  )
  .default({});

export const approveBody = z.strictObject({
  tariff: z.strictObject({
    percent_bps: z
      .number()
      .int()
      .min(0)
      .max(10_000)
      .describe('Percentage fee in basis points (250 = 2.5 %).'),
    fixed: fixedFees,
  }),
  connection_fee: z.strictObject({
    amount: z.number().int().min(0).max(MAX_AMOUNT),
    currency: currencySchema,
  }),
});

export const merchantsQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  starting_after: z.string().max(64).optional(),
});

export const acquiringBankBody = z.strictObject({
  name: z.string().trim().min(1).max(200),
  active: z.boolean().default(true),
});

export const acquiringBankUpdateBody = z.strictObject({
  name: z.string().trim().min(1).max(200).optional(),
  active: z.boolean().optional(),
});
