/** QIWI notifications (v1 JSON protocol): verify, parse, answer. */
import {
  isKnownCurrency,
  type Logger,
  PayrailError,
  type ProviderWebhooks,
  type WebhookParseResult,
  type WebhookResponse,
} from '@payrail/core';
import { fromQiwiValue, normaliseSignedValue, outcomeOfBill } from './mapping';
import { verifyNotificationSignature } from './signature';

export const SIGNATURE_HEADER = 'x-api-signature-sha256';

const signatureError = (message: string) => new PayrailError('PAYRAIL_ERR_WEBHOOK_SIGNATURE', { message });
const payloadError = (message: string) => new PayrailError('PAYRAIL_ERR_WEBHOOK_PAYLOAD', { message });

function headerOf(headers: Record<string, string | undefined>, name: string): string | undefined {
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === name) return value;
  return undefined;
}

const str = (v: unknown): v is string => typeof v === 'string' && v.length > 0;

export function qiwiWebhooks(opts: { siteId: string; secretKey: string; logger: Logger }): ProviderWebhooks {
  return {
    async parse(req): Promise<WebhookParseResult> {
      const header = headerOf(req.headers, SIGNATURE_HEADER);
      if (!header) throw signatureError('The X-Api-Signature-SHA256 header is missing.');

      // The signature covers fields inside the JSON: a body we cannot read cannot be verified, so it
      // is refused as unauthenticated (not as a payload error about bytes nobody vouched for).
      let body: unknown;
      try {
        body = JSON.parse(req.rawBody.toString('utf8'));
      } catch {
        throw signatureError('The notification body is not JSON, so its signature cannot be verified.');
      }
      const bill = (body as { bill?: Record<string, unknown> } | null)?.bill;
      const amount = bill?.amount as { value?: unknown; currency?: unknown } | undefined;
      const status = bill?.status as { value?: unknown } | undefined;
      if (
        !bill ||
        !str(bill.siteId) ||
        !str(bill.billId) ||
        !str(amount?.currency) ||
        amount?.value === undefined ||
        !str(status?.value)
      ) {
        throw signatureError(
          'The notification lacks the signed fields, so its signature cannot be verified.',
        );
      }
      const currency = amount.currency as string;
      if (!isKnownCurrency(currency)) throw signatureError(`Unknown currency "${currency}": cannot verify.`);
      let amountValue: string;
      try {
        amountValue = normaliseSignedValue(amount.value, currency);
      } catch {
        throw signatureError('The notification amount is not a two-decimal number: cannot verify.');
      }
      const fields = {
        currency,
        amountValue,
        billId: bill.billId as string,
        siteId: bill.siteId as string,
        status: status!.value as string,
      };
      if (!verifyNotificationSignature(fields, header, opts.secretKey)) {
        throw signatureError('The notification signature does not match.');
      }
      // Well signed with our secret but for another site: a misconfiguration, never applied here.
      if (fields.siteId !== opts.siteId) {
        throw payloadError(`The notification is for QIWI site "${fields.siteId}", not this instance's.`);
      }
      const outcome = outcomeOfBill({ billId: fields.billId, status: { value: fields.status } }, opts.logger);
      return {
        type: 'payment',
        notification: {
          notificationId: `${fields.billId}:${fields.status}`,
          paymentId: fields.billId,
          paymentRef: fields.billId,
          amount: { amount: fromQiwiValue(amount.value, currency), currency },
          outcome,
        },
      };
    },

    respond(result): WebhookResponse {
      const headers = { 'content-type': 'application/json' };
      if (result.accepted) return { statusCode: 200, headers, body: '{"error":"0"}' };
      // QIWI treats every non-200 answer as temporary and retries within 24 h; a non-zero `error`
      // says why. Bad signatures and payloads will never succeed, but a retry is harmless.
      const code = result.error.code;
      const statusCode =
        code === 'PAYRAIL_ERR_WEBHOOK_SIGNATURE' ? 401 : code === 'PAYRAIL_ERR_WEBHOOK_PAYLOAD' ? 400 : 500;
      return { statusCode, headers, body: JSON.stringify({ error: '1', description: code }) };
    },
  };
}
