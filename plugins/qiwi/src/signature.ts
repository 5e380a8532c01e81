import { createHmac, timingSafeEqual } from 'node:crypto';

/** The fields QIWI signs, with `amountValue` already normalised to two decimals ("1.00"). */
export interface SignedFields {
  currency: string;
  amountValue: string;
  billId: string;
  siteId: string;
  status: string;
}

/** `currency|value|billId|siteId|status` (alphabetical order of the keys, per QIWI's docs). */
export function signedString(f: SignedFields): string {
  return `${f.currency}|${f.amountValue}|${f.billId}|${f.siteId}|${f.status}`;
}

/** Lowercase hex HMAC-SHA256 of the signed string, keyed with the SECRET_KEY (UTF-8). */
export function signNotification(fields: SignedFields, secretKey: string): string {
  return createHmac('sha256', secretKey).update(signedString(fields), 'utf8').digest('hex');
}

const HEX_64 = /^[0-9a-f]{64}$/;

/**
 * Constant-time check of the `X-Api-Signature-SHA256` header. The docs say lowercase hex, so an
 * uppercase or otherwise malformed header is refused rather than normalised.
 */
export function verifyNotificationSignature(
  fields: SignedFields,
  header: string | undefined,
  secretKey: string,
): boolean {
  if (typeof header !== 'string' || !HEX_64.test(header)) return false;
  const expected = Buffer.from(signNotification(fields, secretKey), 'hex');
  const given = Buffer.from(header, 'hex');
  if (expected.length !== given.length) return false;
  return timingSafeEqual(expected, given);
}
