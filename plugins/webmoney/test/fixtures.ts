import { type ResolvedWebMoneyOptions, type WebMoneyOptions, webmoneyOptionsSchema } from '../src/options';
import { PAYMENT_ID_FIELD, paymentNumberFor } from '../src/payment-number';
import { type HashMethod, lmiHash, lmiHash2, type SignedNotificationFields } from '../src/signature';

export const SECRET = 'test-secret-key-not-real';
export const USD_PURSE = 'Z123428476799';
export const RUB_PURSE = 'R123456789012';
export const PAYMENT_ID = 'pay_01JABCDEFGHJKMNPQRSTVWXYZ0';

export const baseOptions = (over: Partial<WebMoneyOptions> = {}): WebMoneyOptions => ({
  purses: { USD: USD_PURSE, RUB: RUB_PURSE },
  secretKey: SECRET,
  ...over,
});

export const resolved = (over: Partial<WebMoneyOptions> = {}): ResolvedWebMoneyOptions =>
  webmoneyOptionsSchema.parse(baseOptions(over));

/** A payment notification as WebMoney would POST it, signed with LMI_HASH (and LMI_HASH2), LMI_HASH last. */
export function notificationFields(
  args: {
    paymentId?: string;
    purse?: string;
    amount?: string;
    mode?: '0' | '1';
    transNo?: string;
    secret?: string;
    method?: HashMethod;
    hash2?: boolean;
    hold?: string;
    extra?: Record<string, string>;
  } = {},
): Record<string, string> {
  const paymentId = args.paymentId ?? PAYMENT_ID;
  const signed: SignedNotificationFields = {
    LMI_PAYEE_PURSE: args.purse ?? USD_PURSE,
    LMI_PAYMENT_AMOUNT: args.amount ?? '10.00',
    LMI_PAYMENT_NO: paymentNumberFor(paymentId),
    LMI_MODE: args.mode ?? '0',
    LMI_SYS_INVS_NO: '897',
    LMI_SYS_TRANS_NO: args.transNo ?? '892',
    LMI_SYS_TRANS_DATE: '20151007 13:07:36',
    LMI_PAYER_PURSE: 'Z366393600555',
    LMI_PAYER_WM: '404521188333',
    ...(args.hold !== undefined ? { LMI_HOLD: args.hold } : {}),
  };
  const secret = args.secret ?? SECRET;
  const { LMI_HOLD: _hold, ...plain } = signed;
  return {
    ...plain,
    ...(args.hold !== undefined ? { LMI_HOLD: args.hold } : {}),
    LMI_PAYMENT_DESC: 'Order 42',
    [PAYMENT_ID_FIELD]: paymentId,
    ...(args.extra ?? {}),
    ...(args.hash2 ? { LMI_HASH2: lmiHash2(signed, secret) } : {}),
    LMI_HASH: lmiHash(signed, secret, args.method ?? 'SHA256'),
  };
}

export const encode = (fields: Record<string, string>): Buffer =>
  Buffer.from(new URLSearchParams(fields).toString(), 'utf8');

export function preRequestFields(
  args: { paymentId?: string; purse?: string; amount?: string; mode?: '0' | '1' } = {},
): Record<string, string> {
  const paymentId = args.paymentId ?? PAYMENT_ID;
  return {
    LMI_PREREQUEST: '1',
    LMI_PAYEE_PURSE: args.purse ?? USD_PURSE,
    LMI_PAYMENT_AMOUNT: args.amount ?? '10.00',
    LMI_PAYMENT_NO: paymentNumberFor(paymentId),
    LMI_MODE: args.mode ?? '0',
    LMI_PAYER_WM: '404521188333',
    LMI_PAYER_PURSE: 'Z366393600555',
    [PAYMENT_ID_FIELD]: paymentId,
  };
}
