import { z } from 'zod';
import { currencyOfPurse, PURSE_PATTERN, UNSUPPORTED_PURSE_PREFIXES } from './purses';

/** The UTF-8 payment form (payment.asp expects windows-1251; we always send UTF-8). */
export const DEFAULT_FORM_URL = 'https://merchant.webmoney.ru/lmi/payment_utf.asp';
/** X18 "payment state" interface. */
export const DEFAULT_X18_URL = 'https://merchant.webmoney.ru/conf/xml/XMLTransGet.asp';

/** HTTPS, or plain HTTP to a loopback host (tests against a local mock of WebMoney). */
const httpsUrl = z.url().refine((value) => {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  if (url.protocol === 'https:') return true;
  return url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
}, 'use an https:// URL');

const pursesSchema = z.record(z.string(), z.string()).superRefine((purses, ctx) => {
  const entries = Object.entries(purses);
  if (entries.length === 0) ctx.addIssue({ code: 'custom', message: 'configure at least one purse' });
  for (const [currency, purse] of entries) {
    if (!PURSE_PATTERN.test(purse)) {
      ctx.addIssue({
        code: 'custom',
        path: [currency],
        message: 'a purse is one capital letter and 12 digits, e.g. Z123456789012',
      });
      continue;
    }
    const unsupported = UNSUPPORTED_PURSE_PREFIXES[purse[0] as string];
    const actual = currencyOfPurse(purse);
    if (actual !== currency) {
      ctx.addIssue({
        code: 'custom',
        path: [currency],
        message: unsupported
          ? `purses of type ${purse[0]} hold ${unsupported} and are not supported`
          : actual
            ? `purse ${purse[0]}… holds ${actual}, not ${currency}`
            : `purse type ${purse[0]} is unknown (supported: Z USD, R RUB, E EUR, U UAH, K KZT, Y UZS, B BYN)`,
      });
    }
  }
});

export const webmoneyOptionsSchema = z
  .strictObject({
    instanceId: z.string().optional(),
    /** Payee purse per ISO currency: `{ USD: 'Z…', RUB: 'R…' }`. The prefix must match the currency. */
    purses: pursesSchema,
    /** The purse's "Secret Key" (Merchant settings). Signs LMI_HASH / LMI_HASH2. Never logged. */
    secretKey: z.string().min(1),
    /** The "signature method" set for the purse: LMI_HASH is MD5 (32 hex) or SHA256 (64 hex). */
    hashMethod: z.enum(['MD5', 'SHA256']).default('SHA256'),
    /**
     * LMI_HASH2 (SHA256 of the `;`-joined fields): `if_present` verifies it when sent, `required`
     * refuses notifications without it, `off` ignores it. LMI_HASH is always verified.
     */
    hash2: z.enum(['if_present', 'required', 'off']).default('if_present'),
    /**
     * The purse is in test mode. Notifications must then carry LMI_MODE=1, otherwise LMI_MODE=0: a
     * live instance refuses simulated payments and a test instance refuses real ones.
     */
    testMode: z.boolean().default(false),
    /** LMI_SIM_MODE sent in test mode: 0 all succeed, 1 all fail, 2 about 80 % succeed. */
    simMode: z.union([z.literal(0), z.literal(1), z.literal(2)]).default(0),
    /**
     * LMI_PAYMENTFORM_SIGN (request signature with the "X20" key). Off when absent. Integrations
     * disagree on its exact form (see README), so the variant and hex case are configurable.
     */
    paymentFormSign: z
      .strictObject({
        secretKey: z.string().min(1),
        /** `trailing_semicolon`: SHA256(PURSE;AMOUNT;NO;KEY;) (four integrations).
         *  `no_trailing_semicolon`: SHA256(PURSE;AMOUNT;[HOLD;]NO;KEY) (one Go integration). */
        variant: z.enum(['trailing_semicolon', 'no_trailing_semicolon']).default('trailing_semicolon'),
        case: z.enum(['upper', 'lower']).default('upper'),
      })
      .optional(),
    formUrl: httpsUrl.default(DEFAULT_FORM_URL),
    /** LMI_SUCCESS_METHOD / LMI_FAIL_METHOD for the return to Payrail: GET=0, POST=1, LINK=2. */
    returnMethod: z.enum(['GET', 'POST', 'LINK']).default('LINK'),
    /** Description as LMI_PAYMENT_DESC_BASE64 (charset-proof, default) or plain LMI_PAYMENT_DESC. */
    descriptionEncoding: z.enum(['base64', 'plain']).default('base64'),
    /**
     * X18 payment-state queries for syncPayment. Without it syncPayment cannot ask WebMoney and keeps
     * the payment waiting for the Result URL notification.
     */
    x18: z
      .strictObject({
        /** The merchant's WMID (12 digits). */
        wmid: z.string().regex(/^[0-9]{12}$/, 'a WMID is 12 digits'),
        /** Key for the X18 signature; defaults to `secretKey`. */
        secretKey: z.string().min(1).optional(),
        hashMethod: z.enum(['MD5', 'SHA256']).default('SHA256'),
        url: httpsUrl.default(DEFAULT_X18_URL),
        timeoutMs: z.int().min(100).max(60_000).default(10_000),
      })
      .optional(),
  })
  .superRefine((o, ctx) => {
    if (!o.testMode && o.simMode !== 0) {
      ctx.addIssue({ code: 'custom', path: ['simMode'], message: 'simMode needs testMode: true' });
    }
  });

export type WebMoneyOptions = z.input<typeof webmoneyOptionsSchema>;
export type ResolvedWebMoneyOptions = z.output<typeof webmoneyOptionsSchema>;
