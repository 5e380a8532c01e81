import type { IinRangeRecord, IssuerEnrolment, IssuerStatisticsCounts, Mode } from '@payrail/core';
import { z } from 'zod';
import { idParam } from '../../http/schemas/common';

const iinBound = (field: string) =>
  z
    .string({ error: `${field} must be a string of digits` })
    .regex(/^\d{6,19}$/, { error: `${field} must be 6 to 19 digits (an IIN prefix)` });

export const createRangeBody = z
  .strictObject({
    first: iinBound('first').describe('Lowest prefix of the range, e.g. "41111100".'),
    last: iinBound('last').describe('Highest prefix, as many digits as `first`, e.g. "41111199".'),
  })
  .superRefine((body, ctx) => {
    if (body.first.length !== body.last.length) {
      ctx.addIssue({
        code: 'custom',
        path: ['last'],
        message: 'last must have as many digits as first (ranges compare prefixes of one length)',
      });
    } else if (body.first > body.last) {
      ctx.addIssue({ code: 'custom', path: ['last'], message: 'last must not be below first' });
    }
  });

/** The cardholder's secret code: 4 to 12 digits, what the challenge page accepts. */
export const secretCode = z
  .string({ error: 'code must be a string of digits' })
  .regex(/^\d{4,12}$/, { error: 'code must be 4 to 12 digits' })
  .describe(
    'The secret code the cardholder will type on the challenge page; stored only as an argon2id hash.',
  );

export const enrolBody = z.strictObject({
  card: z.strictObject({
    number: z
      .string({ error: 'card.number must be a string' })
      .min(12, { error: 'card.number is too short for a card number' })
      .max(23, { error: 'card.number is too long for a card number' }),
    exp_month: z.number({ error: 'card.exp_month must be a number' }).int(),
    exp_year: z.number({ error: 'card.exp_year must be a number' }).int(),
  }),
  code: secretCode,
});

export const resetCodeBody = z.strictObject({ code: secretCode });

export const rangeIdParams = z.strictObject({ id: idParam });
export const enrolmentIdParams = z.strictObject({ id: idParam });

export const rangeSchema = z
  .object({
    id: z.string(),
    object: z.literal('iin_range'),
    livemode: z.boolean(),
    first: z.string(),
    last: z.string(),
    created_at: z.string(),
  })
  .meta({ id: 'IinRange' });

export const rangeListSchema = z.object({ object: z.literal('list'), data: z.array(rangeSchema) });

export const enrolmentSchema = z
  .object({
    id: z.string(),
    object: z.literal('enrolment'),
    livemode: z.boolean(),
    card: z.object({
      brand: z.string(),
      first6: z.string(),
      last4: z.string(),
      exp_month: z.number(),
      exp_year: z.number(),
    }),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: 'Enrolment' });

export const deletedSchema = z.object({ id: z.string(), object: z.string(), deleted: z.literal(true) });

export const statisticsSchema = z
  .object({
    object: z.literal('issuer_statistics'),
    livemode: z.boolean(),
    challenges: z.number().int(),
    successes: z.number().int(),
    failures: z.number().int(),
  })
  .meta({ id: 'IssuerStatistics' });

export const rangeResource = (r: IinRangeRecord) => ({
  id: r.id,
  object: 'iin_range' as const,
  livemode: r.mode === 'live',
  first: r.first,
  last: r.last,
  created_at: r.createdAt.toISOString(),
});

/** What an issuer sees of an enrolled card: never more than first 6 / last 4, never the code hash. */
export const enrolmentResource = (e: IssuerEnrolment) => ({
  id: e.id,
  object: 'enrolment' as const,
  livemode: e.mode === 'live',
  card: { brand: e.brand, first6: e.first6, last4: e.last4, exp_month: e.expMonth, exp_year: e.expYear },
  created_at: e.createdAt.toISOString(),
  updated_at: e.updatedAt.toISOString(),
});

export const statisticsResource = (counts: IssuerStatisticsCounts, mode: Mode) => ({
  object: 'issuer_statistics' as const,
  livemode: mode === 'live',
  ...counts,
});
