import { z } from 'zod';

export const buyerPaymentsQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  starting_after: z.string().max(64).optional(),
});

export const buyerIdParams = z.strictObject({ id: z.string().min(1).max(64) });

export const buyerContactBody = z.strictObject({
  email: z.email({ error: 'email must be an email address' }).max(254),
});

export const buyerContactParams = z.strictObject({ email: z.string().min(3).max(254) });

const channel = z.enum(['email', 'telegram', 'none']);

/** Any subset of the three notices; the others keep their current channel. */
export const buyerNotificationsBody = z
  .strictObject({
    payment_succeeded: channel.optional(),
    payment_declined: channel.optional(),
    payment_refunded: channel.optional(),
  })
  .refine((b) => Object.keys(b).length > 0, {
    message: 'Send at least one of payment_succeeded, payment_declined, payment_refunded.',
  });
