import { createHash, timingSafeEqual } from 'node:crypto';

export type HashMethod = 'MD5' | 'SHA256';

const digest = (method: HashMethod, text: string): string =>
  createHash(method === 'MD5' ? 'md5' : 'sha256')
    .update(text, 'utf8')
    .digest('hex');

/** The notification fields that LMI_HASH and LMI_HASH2 cover (LMI_PAYMENT_DESC is not among them). */
export interface SignedNotificationFields {
  LMI_PAYEE_PURSE: string;
  LMI_PAYMENT_AMOUNT: string;
  LMI_PAYMENT_NO: string;
  LMI_MODE: string;
  LMI_SYS_INVS_NO: string;
  LMI_SYS_TRANS_NO: string;
  LMI_SYS_TRANS_DATE: string;
  LMI_PAYER_PURSE: string;
  LMI_PAYER_WM: string;
  /** Enters LMI_HASH2 only when the notification carries it. */
  LMI_HOLD?: string | undefined;
}

/** The LMI_HASH input: plain concatenation in the documented order, the secret key after the date. */
export function lmiHashString(f: SignedNotificationFields, secretKey: string): string {
  return (
    f.LMI_PAYEE_PURSE +
    f.LMI_PAYMENT_AMOUNT +
    f.LMI_PAYMENT_NO +
    f.LMI_MODE +
    f.LMI_SYS_INVS_NO +
    f.LMI_SYS_TRANS_NO +
    f.LMI_SYS_TRANS_DATE +
    secretKey +
    f.LMI_PAYER_PURSE +
    f.LMI_PAYER_WM
  );
}

/** LMI_HASH = UPPER(H(concatenation)), H = MD5 or SHA256 as set for the purse. */
export function lmiHash(f: SignedNotificationFields, secretKey: string, method: HashMethod): string {
  return digest(method, lmiHashString(f, secretKey)).toUpperCase();
}

/** The LMI_HASH2 input: same order joined with `;`, LMI_HOLD after the amount only when present. */
export function lmiHash2String(f: SignedNotificationFields, secretKey: string): string {
  return [
    f.LMI_PAYEE_PURSE,
    f.LMI_PAYMENT_AMOUNT,
    ...(f.LMI_HOLD !== undefined ? [f.LMI_HOLD] : []),
    f.LMI_PAYMENT_NO,
    f.LMI_MODE,
    f.LMI_SYS_INVS_NO,
    f.LMI_SYS_TRANS_NO,
    f.LMI_SYS_TRANS_DATE,
    secretKey,
    f.LMI_PAYER_PURSE,
    f.LMI_PAYER_WM,
  ].join(';');
}

/** LMI_HASH2 = UPPER(SHA256(`;`-joined fields)). */
export function lmiHash2(f: SignedNotificationFields, secretKey: string): string {
  return digest('SHA256', lmiHash2String(f, secretKey)).toUpperCase();
}

export interface PaymentFormSignInput {
  purse: string;
  amount: string;
  paymentNo: string;
  hold?: string | undefined;
}

/**
 * LMI_PAYMENTFORM_SIGN with the X20 key. The sources conflict (see README):
 * `trailing_semicolon` = SHA256(PURSE;AMOUNT;NO;KEY;), `no_trailing_semicolon` = SHA256(PURSE;AMOUNT;[HOLD;]NO;KEY).
 */
export function paymentFormSign(
  input: PaymentFormSignInput,
  secretKey: string,
  variant: 'trailing_semicolon' | 'no_trailing_semicolon',
  hexCase: 'upper' | 'lower',
): string {
  const text =
    variant === 'trailing_semicolon'
      ? `${input.purse};${input.amount};${input.paymentNo};${secretKey};`
      : [
          input.purse,
          input.amount,
          ...(input.hold !== undefined ? [input.hold] : []),
          input.paymentNo,
          secretKey,
        ].join(';');
  const hex = digest('SHA256', text);
  return hexCase === 'upper' ? hex.toUpperCase() : hex;
}

/** X18 request signature: lowercase hex of H(wmid + purse + payment no + key). */
export function x18Hash(
  input: { wmid: string; purse: string; paymentNo: string },
  secretKey: string,
  method: HashMethod,
): string {
  return digest(method, input.wmid + input.purse + input.paymentNo + secretKey);
}

/**
 * Compares a received hex signature with the expected one in constant time. The received value is
 * upper-cased first (hex case carries no information); a length difference fails without comparing.
 */
export function hexEquals(expected: string, received: string): boolean {
  const a = Buffer.from(expected.toUpperCase(), 'utf8');
  const b = Buffer.from(received.toUpperCase(), 'utf8');
  if (a.length !== b.length) return false;
  return timingSafeEqual(a, b);
}
