import {
  BUYER_DECLINE_MESSAGE,
  DECLINE_CODES,
  PAYMENT_STATUSES,
  type Payment,
  type StoredCard,
} from '@payrail/core';
import { z } from 'zod';
import { nextActionSchema } from './common';

/**
 * The buyer's side of a payment. The payment id is the capability (no API key), so this view holds only
 * what the buyer needs: never the merchant's metadata, customer data, risk or provider details, and of the
 * card only brand and last 4 digits.
 */

export const payParams = z.strictObject({ paymentId: z.string().min(1).max(64) });

const currentYear = () => new Date().getUTCFullYear();

export const cardBody = z.strictObject({
  number: z
    .string({ error: 'number must be a string of digits' })
    .transform((value) => value.replace(/[ -]/g, ''))
    .pipe(z.string().regex(/^\d{12,19}$/, { error: 'number must be 12 to 19 digits' })),
  exp_month: z.number({ error: 'exp_month must be a number' }).int().min(1).max(12),
  exp_year: z
    .number({ error: 'exp_year must be a number' })
    .int()
    .min(0)
    .max(9999)
    .transform((year) => (year < 100 ? 2000 + year : year))
    .refine((year) => year >= 2000 && year <= currentYear() + 50, {
      message: 'exp_year is not a plausible year',
    }),
  cvc: z
    .string({ error: 'cvc must be a string of digits' })
    .regex(/^\d{3,4}$/, { error: 'cvc must be 3 or 4 digits' }),
  holder: z.string().min(1).max(200).optional(),
});

/**
 * What `POST /pay/:id` takes: a full card (optionally `save_card: true` to keep it for the merchant's
 * customer), or — for a payment created with a saved card — the CVC alone.
 */
export const payBody = cardBody.partial({ number: true, exp_month: true, exp_year: true }).extend({
  save_card: z
    .boolean({ error: 'save_card must be true or false' })
    .optional()
    .describe('The buyer agrees to save this card for one-click payments at this merchant.'),
});

export type PayBody = z.output<typeof payBody>;

/** The buyer's view of the saved card a one-click payment uses. */
const savedCardSchema = z.object({
  brand: z.string(),
  last4: z.string(),
  exp_month: z.number().int(),
  exp_year: z.number().int(),
});

export const buyerPaymentSchema = z
  .object({
    id: z.string(),
    object: z.literal('payment'),
    status: z.enum(PAYMENT_STATUSES),
    amount: z.number().int(),
    currency: z.string(),
    description: z.string().nullable(),
    card: z.object({ brand: z.string(), last4: z.string() }).nullable(),
    next_action: nextActionSchema.nullable(),
    decline: z.object({ code: z.enum(DECLINE_CODES), message: z.string() }).nullable(),
    return_url: z.string().nullable(),
    saved_card: savedCardSchema
      .nullable()
      .optional()
      .describe('Set for a one-click payment: the saved card it is paid with; send only the CVC.'),
  })
  .meta({ id: 'BuyerPayment' });

export function buyerPaymentView(
  p: Payment,
  savedCard?: StoredCard | null,
): z.output<typeof buyerPaymentSchema> {
  return {
    id: p.id,
    object: 'payment',
    status: p.status,
    amount: p.amount,
    currency: p.currency,
    description: p.description,
    card: p.card ? { brand: p.card.brand, last4: p.card.last4 } : null,
    next_action: p.nextAction,
    // Neutral for the buyer: no hint of antifraud rules to someone probing them.
    decline: p.decline
      ? {
          code: p.decline.code === 'fraud_suspected' ? 'card_declined' : p.decline.code,
          message: BUYER_DECLINE_MESSAGE,
        }
      : null,
    return_url: p.returnUrl,
    saved_card:
      savedCard && savedCard.deletedAt === null
        ? {
            brand: savedCard.brand,
            last4: savedCard.last4,
            exp_month: savedCard.expMonth,
            exp_year: savedCard.expYear,
          }
        : null,
  };
}

export const verifyBody = z.strictObject({
  code: z
    .string({ error: 'code must be a string of digits' })
    .regex(/^\d{4,12}$/, { error: 'code must be 4 to 12 digits' })
    .describe('The secret code the card’s issuer gave the cardholder.'),
});

/** The payer-authentication challenge as the buyer's page shows it. */
export const verificationSchema = z
  .object({
    object: z.literal('verification'),
    state: z.enum(['pending', 'authenticated', 'failed', 'expired']),
    attempts_left: z.number().int(),
    payment: buyerPaymentSchema,
  })
  .meta({ id: 'Verification' });
