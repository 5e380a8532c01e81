import { createHmac, timingSafeEqual } from 'node:crypto';
import {
  DECLINE_CODES,
  type DeclineCode,
  isKnownCurrency,
  type PaymentOutcome,
  PayrailError,
  type ProviderWebhooks,
  type WebhookParseResult,
  type WebhookRequest,
} from '@payrail/core';
import { z } from 'zod';

/** The header carrying hex HMAC-SHA256(secret, rawBody). */
export const FAKE_SIGNATURE_HEADER = 'x-fake-signature';

/** Statuses a fake notification may carry. */
export const FAKE_WEBHOOK_STATUSES = ['processing', 'authorized', 'succeeded', 'failed', 'canceled'] as const;
export type FakeWebhookStatus = (typeof FAKE_WEBHOOK_STATUSES)[number];

/** The JSON body of a fake notification. */
export interface FakeWebhookBody {
  /** Unique per notification: the deduplication key. */
  id: string;
  /** Payrail's payment id. */
  payment_id: string;
  status: FakeWebhookStatus;
  /** Minor units. */
  amount: number;
  currency: string;
  /** For `failed`: the decline code (default card_declined). */
  decline_code?: DeclineCode;
}

/** Hex HMAC-SHA256 of the raw body with the webhook secret — the value of `x-fake-signature`. */
export function signFakeWebhook(secret: string, body: string | Buffer): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}

/** A ready-to-post notification: the exact bytes and a valid signature header. */
export function fakeWebhookRequest(secret: string, body: FakeWebhookBody): WebhookRequest {
  const rawBody = Buffer.from(JSON.stringify(body), 'utf8');
  return {
    headers: {
      'content-type': 'application/json',
      [FAKE_SIGNATURE_HEADER]: signFakeWebhook(secret, rawBody),
    },
    rawBody,
    query: {},
  };
}

const bodySchema = z.object({
  id: z.string().min(1),
  payment_id: z.string().min(1),
  // Unknown statuses parse (as processing, below) — a provider adding a status must not break us.
  status: z.string().min(1),
  amount: z.number().int().nonnegative(),
  currency: z.string().refine((c) => isKnownCurrency(c.toUpperCase()), 'unknown currency'),
  decline_code: z.enum(DECLINE_CODES).optional(),
});

const pingSchema = z.object({ id: z.string().min(1), type: z.literal('ping') });

function headerOf(headers: WebhookRequest['headers'], name: string): string | undefined {
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === name) return value;
  return undefined;
}

/** Constant-time check of the signature header against the raw body. */
export function verifyFakeSignature(secret: string, req: WebhookRequest): void {
  const given = headerOf(req.headers, FAKE_SIGNATURE_HEADER)?.trim().toLowerCase();
  // Decoding non-hex with Buffer.from(…, 'hex') silently truncates, so check the format first.
  if (!given || !/^[0-9a-f]{64}$/.test(given)) {
    throw new PayrailError('PAYRAIL_ERR_WEBHOOK_SIGNATURE', {
      message: `The ${FAKE_SIGNATURE_HEADER} header is missing or is not 64 hex characters.`,
    });
  }
  const expected = createHmac('sha256', secret).update(req.rawBody).digest();
  if (!timingSafeEqual(expected, Buffer.from(given, 'hex'))) {
    throw new PayrailError('PAYRAIL_ERR_WEBHOOK_SIGNATURE', {
      message: `The ${FAKE_SIGNATURE_HEADER} signature does not match the body.`,
    });
  }
}

/** The outcome a notification's status stands for. Unknown statuses are non-terminal, never success. */
export function fakeStatusToOutcome(body: {
  status: string;
  amount: number;
  decline_code?: DeclineCode;
}): PaymentOutcome {
  switch (body.status) {
    case 'succeeded':
      return { status: 'succeeded', amountCaptured: body.amount };
    case 'authorized':
      return { status: 'authorized', amountAuthorized: body.amount };
    case 'failed': {
      const code = body.decline_code ?? 'card_declined';
      return {
        status: 'declined',
        decline: { code, providerCode: `fake_${code}`, message: declineMessage(code) },
      };
    }
    case 'canceled':
      return { status: 'canceled', reason: 'voided' };
    default:
      return { status: 'processing' };
  }
}

export function declineMessage(code: DeclineCode): string {
  return `The fake provider declined the payment (${code}).`;
}

export function createFakeWebhooks(secret: string): ProviderWebhooks {
  return {
    async parse(req): Promise<WebhookParseResult> {
      verifyFakeSignature(secret, req);
      let json: unknown;
      try {
        json = JSON.parse(req.rawBody.toString('utf8'));
      } catch (cause) {
        throw new PayrailError('PAYRAIL_ERR_WEBHOOK_PAYLOAD', {
          message: 'The notification is not JSON.',
          cause,
        });
      }
      const ping = pingSchema.safeParse(json);
      if (ping.success) return { type: 'ignored', reason: `ping ${ping.data.id}` };
      const parsed = bodySchema.safeParse(json);
      if (!parsed.success) {
        const issues = parsed.error.issues
          .map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`)
          .join('; ');
        throw new PayrailError('PAYRAIL_ERR_WEBHOOK_PAYLOAD', {
          message: `Invalid fake notification: ${issues}`,
        });
      }
      const body = parsed.data;
      return {
        type: 'payment',
        notification: {
          notificationId: body.id,
          paymentId: body.payment_id,
          amount: { amount: body.amount, currency: body.currency.toUpperCase() },
          outcome: fakeStatusToOutcome(body),
        },
      };
    },
    respond(result) {
      return result.accepted
        ? { statusCode: 200, headers: { 'content-type': 'application/json' }, body: '{"received":true}' }
        : {
            statusCode: 400,
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ error: { code: result.error.code, message: result.error.message } }),
          };
    },
  };
}
