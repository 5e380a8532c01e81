import {
  type Money,
  PayrailError,
  parseDecimal,
  type WebhookParseResult,
  type WebhookResponse,
} from '@payrail/core';
import type { ResolvedWebMoneyOptions } from './options';
import { PAYMENT_ID_FIELD, paymentNumberFor } from './payment-number';
import { currencyOfPurse } from './purses';
import { hexEquals, lmiHash, lmiHash2, type SignedNotificationFields } from './signature';

const signatureError = (message: string) => new PayrailError('PAYRAIL_ERR_WEBHOOK_SIGNATURE', { message });
const payloadError = (message: string, param?: string) =>
  new PayrailError('PAYRAIL_ERR_WEBHOOK_PAYLOAD', { message, ...(param ? { param } : {}) });
const mismatchError = (message: string, param?: string) =>
  new PayrailError('PAYRAIL_ERR_WEBHOOK_MISMATCH', { message, ...(param ? { param } : {}) });

/**
 * Parses an application/x-www-form-urlencoded body into fields. A field sent twice is refused
 * (parameter pollution: the hash would cover one value and the code might read the other).
 */
export function parseFormBody(rawBody: Buffer): Record<string, string> {
  const params = new URLSearchParams(rawBody.toString('utf8'));
  const fields: Record<string, string> = Object.create(null);
  for (const [key, value] of params) {
    if (Object.hasOwn(fields, key)) throw payloadError(`The field ${key} appears more than once.`, key);
    fields[key] = value;
  }
  return fields;
}

function required(fields: Record<string, string>, name: string): string {
  const value = fields[name];
  if (value === undefined || value === '') throw payloadError(`The notification has no ${name}.`, name);
  return value;
}

interface OrderFields {
  purse: string;
  amount: Money;
  paymentNo: string;
  paymentId: string;
}

/** Checks what both the pre-request and the payment notification carry about the order. */
function orderFields(fields: Record<string, string>, options: ResolvedWebMoneyOptions): OrderFields {
  const purse = required(fields, 'LMI_PAYEE_PURSE');
  const currency = currencyOfPurse(purse);
  const configured =
    currency && Object.hasOwn(options.purses, currency) ? options.purses[currency] : undefined;
  if (!currency || configured !== purse) {
    throw mismatchError('LMI_PAYEE_PURSE is not a purse of this instance.', 'LMI_PAYEE_PURSE');
  }
  const amountText = required(fields, 'LMI_PAYMENT_AMOUNT');
  let amount: number;
  try {
    amount = parseDecimal(amountText, currency, 'LMI_PAYMENT_AMOUNT');
  } catch (cause) {
    throw new PayrailError('PAYRAIL_ERR_WEBHOOK_PAYLOAD', {
      param: 'LMI_PAYMENT_AMOUNT',
      message: `LMI_PAYMENT_AMOUNT "${amountText}" is not a valid ${currency} amount.`,
      cause,
    });
  }
  const paymentNo = required(fields, 'LMI_PAYMENT_NO');
  if (!/^[0-9]{1,20}$/.test(paymentNo))
    throw payloadError('LMI_PAYMENT_NO is not a number.', 'LMI_PAYMENT_NO');
  const mode = required(fields, 'LMI_MODE');
  const expectedMode = options.testMode ? '1' : '0';
  if (mode !== expectedMode) {
    throw mismatchError(
      options.testMode
        ? 'LMI_MODE=0 (a real payment) reached an instance configured with testMode: true.'
        : 'LMI_MODE is not 0: a test-mode payment reached a live instance.',
      'LMI_MODE',
    );
  }
  const paymentId = fields[PAYMENT_ID_FIELD];
  if (!paymentId) throw payloadError(`The notification has no ${PAYMENT_ID_FIELD} field.`, PAYMENT_ID_FIELD);
  return { purse, amount: { amount, currency }, paymentNo, paymentId };
}

/** Our payment id is echoed unsigned; it must derive to the signed LMI_PAYMENT_NO. */
function assertBinding(order: OrderFields): void {
  if (paymentNumberFor(order.paymentId) !== order.paymentNo) {
    throw signatureError(`${PAYMENT_ID_FIELD} does not belong to the signed LMI_PAYMENT_NO.`);
  }
}

function verifySignature(
  fields: Record<string, string>,
  options: ResolvedWebMoneyOptions,
): SignedNotificationFields {
  const received = fields.LMI_HASH;
  if (!received) throw signatureError('The notification has no LMI_HASH.');
  const signed: SignedNotificationFields = {
    LMI_PAYEE_PURSE: fields.LMI_PAYEE_PURSE ?? '',
    LMI_PAYMENT_AMOUNT: fields.LMI_PAYMENT_AMOUNT ?? '',
    LMI_PAYMENT_NO: fields.LMI_PAYMENT_NO ?? '',
    LMI_MODE: fields.LMI_MODE ?? '',
    LMI_SYS_INVS_NO: fields.LMI_SYS_INVS_NO ?? '',
    LMI_SYS_TRANS_NO: fields.LMI_SYS_TRANS_NO ?? '',
    LMI_SYS_TRANS_DATE: fields.LMI_SYS_TRANS_DATE ?? '',
    LMI_PAYER_PURSE: fields.LMI_PAYER_PURSE ?? '',
    LMI_PAYER_WM: fields.LMI_PAYER_WM ?? '',
    LMI_HOLD: fields.LMI_HOLD,
  };
  // The configured method decides; a hash of the other length is refused (no downgrade to MD5).
  if (!hexEquals(lmiHash(signed, options.secretKey, options.hashMethod), received)) {
    throw signatureError('LMI_HASH does not match.');
  }
  const received2 = fields.LMI_HASH2;
  if (options.hash2 !== 'off') {
    if (received2) {
      if (!hexEquals(lmiHash2(signed, options.secretKey), received2))
        throw signatureError('LMI_HASH2 does not match.');
    } else if (options.hash2 === 'required') {
      throw signatureError('The notification has no LMI_HASH2.');
    }
  }
  return signed;
}

/**
 * Verifies and parses a Result URL call.
 *
 * - Pre-request (`LMI_PREREQUEST=1`, unsigned by WebMoney): purse, amount format, mode and the payment
 *   id binding are checked here; core then checks that the payment exists at this instance, that
 *   amount and currency match and that it still awaits payment (a `verify` result writes nothing).
 * - Payment notification: LMI_HASH (and LMI_HASH2) verified in constant time, then the fields.
 */
export function parseNotification(rawBody: Buffer, options: ResolvedWebMoneyOptions): WebhookParseResult {
  const fields = parseFormBody(rawBody);
  if (fields.LMI_PREREQUEST !== undefined) {
    if (fields.LMI_PREREQUEST !== '1') throw payloadError('LMI_PREREQUEST must be 1.', 'LMI_PREREQUEST');
    const order = orderFields(fields, options);
    assertBinding(order);
    // A question, not a state change: core answers YES only if the payment still awaits payment.
    return { type: 'verify', check: { paymentId: order.paymentId, amount: order.amount } };
  }
  verifySignature(fields, options);
  const order = orderFields(fields, options);
  assertBinding(order);
  const transNo = required(fields, 'LMI_SYS_TRANS_NO');
  if (fields.LMI_HOLD !== undefined && fields.LMI_HOLD !== '0') {
    // We never send LMI_HOLD; a held payment would need a capture this plugin does not implement.
    throw payloadError('LMI_HOLD payments (held funds) are not supported by this plugin.', 'LMI_HOLD');
  }
  return {
    type: 'payment',
    notification: {
      notificationId: `payment:${order.paymentNo}:${transNo}`,
      paymentId: order.paymentId,
      paymentRef: transNo,
      amount: order.amount,
      outcome: { status: 'succeeded', amountCaptured: order.amount.amount, paymentRef: transNo },
    },
  };
}

const TEXT = { 'content-type': 'text/plain; charset=utf-8' };

/**
 * WebMoney reads the Result URL answer as plain text: `YES` allows a pre-request, any other text
 * refuses it (and is shown as the reason). The payment notification's body is not interpreted; we
 * answer `YES` when it was applied. A refusal is a one-line reason without secrets, never `YES`.
 */
export function respondToWebMoney(
  result: { accepted: true } | { accepted: false; error: { code: string; message: string } },
): WebhookResponse {
  if (result.accepted) return { statusCode: 200, headers: TEXT, body: 'YES' };
  const reason = `${result.error.code}: ${result.error.message}`.replace(/[\r\n]+/g, ' ').slice(0, 255);
  return { statusCode: 200, headers: TEXT, body: `NO ${reason}` };
}
