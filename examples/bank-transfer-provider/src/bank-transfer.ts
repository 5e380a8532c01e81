import { createHmac, timingSafeEqual } from 'node:crypto';
import {
  defineProvider,
  formatDecimalFixed,
  type PaymentOutcome,
  PayrailError,
  parseCurrency,
  parseDecimal,
  type WebhookParseResult,
  type WebhookRequest,
} from '@payrail/core';
import { z } from 'zod';

/** Header in which the bank's settlement system sends hex HMAC-SHA256(secret, raw body). */
export const SIGNATURE_HEADER = 'x-bank-signature';

const optionsSchema = z.strictObject({
  /** Shared secret of the settlement notifications (from the bank's merchant portal). */
  webhookSecret: z.string().min(16, 'webhookSecret must be at least 16 characters'),
  /** Account the buyer transfers to, shown on the instructions page. */
  iban: z.string().regex(/^[A-Z]{2}\d{2}[A-Z0-9]{10,30}$/, 'iban must be an IBAN without spaces'),
  /** Where the bank hosts its transfer-instructions page. */
  instructionsUrl: z.url().default('https://bank.example/transfer'),
  instanceId: z.string().optional(),
});

/** A settlement notification: the bank saw a transfer with our payment id as its reference. */
const notificationSchema = z.object({
  transfer_id: z.string().min(1),
  reference: z.string().min(1),
  amount: z.string().regex(/^\d+(\.\d+)?$/),
  currency: z.string().length(3),
  status: z.enum(['booked', 'returned']),
});

/** Constant-time comparison of two hex signatures (unequal lengths are simply unequal). */
function signatureMatches(expectedHex: string, givenHex: string | undefined): boolean {
  if (!givenHex || !/^[0-9a-f]+$/i.test(givenHex)) return false;
  const expected = Buffer.from(expectedHex, 'hex');
  const given = Buffer.from(givenHex, 'hex');
  return expected.length === given.length && timingSafeEqual(expected, given);
}

export function signBankNotification(secret: string, rawBody: Buffer | string): string {
  return createHmac('sha256', secret).update(rawBody).digest('hex');
}

/**
 * Bank transfer: the buyer is sent to the bank's instructions page with the payment id as the transfer
 * reference; the payment stays `processing` until the bank's signed settlement notification arrives.
 * No refunds through the API (a transfer back is a manual operation), so only `webhooks` is declared.
 */
export const bankTransfer = defineProvider({
  manifest: { id: 'bank-transfer', name: 'Bank transfer', version: '0.0.0', coreRange: '^0.1.0' },
  optionsSchema,
  capabilities: ['webhooks'],
  paymentMethods: ['bank_transfer'],
  currencies: ['EUR'],
  confirmation: 'immediate',
  init: (ctx) => {
    const { webhookSecret, iban, instructionsUrl } = ctx.options;
    return {
      async createPayment({ payment, returnUrl }): Promise<PaymentOutcome> {
        const url = new URL(instructionsUrl);
        url.searchParams.set('iban', iban);
        url.searchParams.set('reference', payment.id);
        url.searchParams.set('amount', formatDecimalFixed(payment.amount, payment.currency, 2));
        url.searchParams.set('currency', payment.currency);
        url.searchParams.set('return_url', returnUrl);
        return {
          status: 'requires_action',
          nextAction: { type: 'redirect', url: url.href },
          paymentRef: payment.id,
        };
      },
      // The bank has no status API: until a notification arrives the transfer is simply not seen yet.
      async syncPayment(): Promise<PaymentOutcome> {
        return { status: 'processing' };
      },
      webhooks: {
        async parse(req: WebhookRequest): Promise<WebhookParseResult> {
          const expected = signBankNotification(webhookSecret, req.rawBody);
          if (!signatureMatches(expected, req.headers[SIGNATURE_HEADER])) {
            throw new PayrailError('PAYRAIL_ERR_WEBHOOK_SIGNATURE', {
              message: `Missing or wrong ${SIGNATURE_HEADER}: check the webhook secret configured for bank-transfer/${ctx.instanceId}.`,
            });
          }
          let json: unknown;
          try {
            json = JSON.parse(req.rawBody.toString('utf8'));
          } catch {
            throw new PayrailError('PAYRAIL_ERR_WEBHOOK_PAYLOAD', {
              message: 'The notification is not JSON.',
            });
          }
          const parsed = notificationSchema.safeParse(json);
          if (!parsed.success) {
            throw new PayrailError('PAYRAIL_ERR_WEBHOOK_PAYLOAD', {
              message: `The notification does not match the expected shape: ${parsed.error.issues[0]?.message}.`,
            });
          }
          const n = parsed.data;
          const currency = parseCurrency(n.currency);
          return {
            type: 'payment',
            notification: {
              notificationId: `${n.transfer_id}:${n.status}`,
              paymentId: n.reference,
              amount: { amount: parseDecimal(n.amount, currency), currency },
              outcome:
                n.status === 'booked' ? { status: 'succeeded' } : { status: 'canceled', reason: 'rejected' },
            },
          };
        },
        respond: (result) =>
          result.accepted
            ? { statusCode: 200, headers: { 'content-type': 'application/json' }, body: '{"ok":true}' }
            : {
                statusCode: 400,
                headers: { 'content-type': 'application/json' },
                body: JSON.stringify({ ok: false, code: result.error.code }),
              },
      },
    };
  },
});
