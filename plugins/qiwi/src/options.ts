import { z } from 'zod';

/** QIWI's own ceiling: bills expire after 45 days at most. */
export const MAX_BILL_LIFETIME_MINUTES = 45 * 24 * 60;

export const qiwiOptionsSchema = z.strictObject({
  instanceId: z.string().optional(),
  /** The merchant's site id at QIWI (kassa.qiwi.com); echoed in notifications and checked. */
  siteId: z.string().min(1),
  /** SECRET_KEY: API bearer token and the HMAC key of notifications. Never logged. */
  secretKey: z.string().min(1),
  /** PUBLIC_KEY: only used by QIWI's pay form; kept for completeness and future form links. */
  publicKey: z.string().min(1),
  /**
   * How long a bill can be paid, in minutes (default 45 minutes: a checkout, not an invoice).
   * QIWI accepts up to 45 days.
   */
  billLifetimeMinutes: z.number().int().min(1).max(MAX_BILL_LIFETIME_MINUTES).default(45),
  /** API origin; the real one by default, a simulator's in tests. */
  apiBaseUrl: z
    .url({ protocol: /^https?$/ })
    .default('https://api.qiwi.com')
    .transform((url) => url.replace(/\/+$/, '')),
  /** QIWI pay-form style code, sent as `customFields.themeCode`. */
  themeCode: z.string().min(1).max(255).optional(),
  /** Per-call timeout in ms (default: the HttpClient's). */
  timeoutMs: z.number().int().min(100).max(120_000).optional(),
});

export type QiwiOptions = z.input<typeof qiwiOptionsSchema>;
export type ParsedQiwiOptions = z.output<typeof qiwiOptionsSchema>;
