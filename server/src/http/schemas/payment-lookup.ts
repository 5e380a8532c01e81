import { PAYMENT_STATUSES } from '@payrail/core';
import { z } from 'zod';

/**
 * The public payment lookup: which payment (shop + order number, or the payment id) and one proof only
 * the payer has (the e-mail or phone given at payment, or the card's last 4 digits and the amount).
 */
export const paymentLookupBody = z
  .strictObject({
    shop: z
      .string()
      .max(64)
      .optional()
      .describe('The shop: its id (shop_…), or the merchant id (mer_…) shown on the payment page.'),
    order_id: z.string().min(1).max(255).optional().describe('The shop’s order number.'),
    payment_id: z
      .string()
      .max(64)
      .optional()
      .describe('Or the payment id (pay_…), instead of shop and order_id.'),
    email: z.string().min(3).max(254).optional().describe('Proof: the e-mail given at payment.'),
    phone: z.string().min(6).max(32).optional().describe('Proof: the phone given at payment.'),
    card_last4: z
      .string()
      .regex(/^\d{4}$/, { error: 'card_last4 is the last 4 digits of the card, such as "4242"' })
      .optional()
      .describe('Proof, with amount: the last 4 digits of the card paid with.'),
    amount: z
      .string()
      .regex(/^\d{1,15}(?:\.\d{1,4})?$/, { error: 'amount is the paid amount as written, such as "19.99"' })
      .optional()
      .describe('Proof, with card_last4: the amount paid, in major units ("19.99").'),
    test_mode: z.boolean().default(false).describe('Look among test-mode payments (for integration tests).'),
  })
  .superRefine((body, ctx) => {
    const byOrder = body.shop !== undefined || body.order_id !== undefined;
    if (byOrder === (body.payment_id !== undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: [body.payment_id !== undefined ? 'payment_id' : 'order_id'],
        message: 'send either shop and order_id, or payment_id',
      });
    } else if (byOrder && (body.shop === undefined || body.order_id === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: [body.shop === undefined ? 'shop' : 'order_id'],
        message: 'shop and order_id go together',
      });
    }
    const proofs = [body.email, body.phone, body.card_last4 ?? body.amount].filter((p) => p !== undefined);
    if (proofs.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['email'],
        message: 'send exactly one proof: email, phone, or card_last4 with amount',
      });
    } else if ((body.card_last4 === undefined) !== (body.amount === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: [body.card_last4 === undefined ? 'card_last4' : 'amount'],
        message: 'card_last4 and amount go together',
      });
    }
  });

export const paymentLookupSchema = z
  .object({
    object: z.literal('payment_lookup'),
    payments: z
      .array(
        z.object({
          status: z.enum(PAYMENT_STATUSES),
          amount: z.number().int().describe('Minor units.'),
          currency: z.string(),
          shop: z.object({ name: z.string() }),
          created_at: z.string(),
        }),
      )
      .describe('The matching payments, newest first (an order paid again after a decline has several).'),
  })
  .meta({ id: 'PaymentLookup' });
