import type { AntifraudAuditRecord, AntifraudListEntry } from '@payrail/core';
import { parseDuration, parseIpRange, ruleSetSchema } from '@payrail/plugin-antifraud';
import { z } from 'zod';
import { idParam, limitSchema, timestampSchema } from './common';
import { paymentSchema } from './payments';

// ─── reviews ─────────────────────────────────────────────────────────────────────────────────────

export const reviewIdParams = z.strictObject({ id: idParam.describe('The held payment’s id (pay_…).') });

export const listReviewsQuery = z.strictObject({
  limit: limitSchema,
  starting_after: z.string().max(64).optional().describe('A review id: the page starts after it.'),
});

export const reviewSchema = z
  .object({
    id: z.string().describe('The id of the held payment.'),
    object: z.literal('review'),
    status: z.enum(['open', 'approved', 'rejected']),
    score: z.number(),
    reasons: z.array(z.string()),
    held_since: z.string().describe('When the payment was authorized and held.'),
    payment: paymentSchema,
  })
  .meta({ id: 'Review' });

export const reviewListSchema = z.object({
  object: z.literal('list'),
  data: z.array(reviewSchema),
  has_more: z.boolean(),
  next_cursor: z.string().optional(),
});

export const resolveReviewBody = z.strictObject({}).nullish();

// ─── lists ───────────────────────────────────────────────────────────────────────────────────────

export const LIST_KINDS = ['card_fingerprint', 'email', 'email_domain', 'ip', 'iin'] as const;

/** Normalises a list value the way the engine compares it; a message when it is not valid for its kind. */
export function normalizeListValue(
  kind: AntifraudListEntry['kind'],
  raw: string,
): string | { error: string } {
  const v = raw.trim();
  switch (kind) {
    case 'card_fingerprint':
      return /^[0-9A-Za-z_-]{8,128}$/.test(v)
        ? v
        : { error: 'a card fingerprint is 8–128 letters or digits' };
    case 'email':
      return /^[^\s@]+@[^\s@]+$/.test(v) && v.length <= 254
        ? v.toLowerCase()
        : { error: 'not an email address' };
    case 'email_domain':
      return /^[a-z0-9.-]{1,253}$/i.test(v) && v.includes('.')
        ? v.toLowerCase()
        : { error: 'not a domain name' };
    case 'ip': {
      const range = parseIpRange(v);
      if (typeof range === 'string') return { error: range };
      const full = range.family === 'ipv4' ? 32 : 128;
      return range.prefix === full ? range.address : `${range.address}/${range.prefix}`;
    }
    case 'iin':
      return /^\d{1,6}$/.test(v) ? v : { error: 'an IIN prefix is 1–6 digits' };
  }
}

export const createListEntryBody = z
  .strictObject({
    list: z.enum(['allow', 'block']),
    kind: z.enum(LIST_KINDS),
    value: z.string().min(1).max(300),
    expires_at: timestampSchema('expires_at').nullish(),
    note: z.string().max(500).nullish(),
  })
  .superRefine((body, ctx) => {
    const normalized = normalizeListValue(body.kind, body.value);
    if (typeof normalized !== 'string')
      ctx.addIssue({ code: 'custom', path: ['value'], message: normalized.error });
  });

export const listEntriesQuery = z.strictObject({
  limit: limitSchema,
  starting_after: z.string().max(64).optional(),
  list: z.enum(['allow', 'block']).optional(),
  kind: z.enum(LIST_KINDS).optional(),
});

export const listEntryIdParams = z.strictObject({ id: idParam.describe('A list entry id (afl_…).') });

export const listEntrySchema = z
  .object({
    id: z.string(),
    object: z.literal('antifraud_list_entry'),
    list: z.enum(['allow', 'block']),
    kind: z.enum(LIST_KINDS),
    value: z.string(),
    expires_at: z.string().nullable(),
    note: z.string().nullable(),
    created_at: z.string(),
    created_by: z.string(),
  })
  .meta({ id: 'AntifraudListEntry' });

export const listEntryListSchema = z.object({
  object: z.literal('list'),
  data: z.array(listEntrySchema),
  has_more: z.boolean(),
  next_cursor: z.string().optional(),
});

export function listEntryResource(e: AntifraudListEntry) {
  return {
    id: e.id,
    object: 'antifraud_list_entry' as const,
    list: e.list,
    kind: e.kind,
    value: e.value,
    expires_at: e.expiresAt?.toISOString() ?? null,
    note: e.note,
    created_at: e.createdAt.toISOString(),
    created_by: e.createdBy,
  };
}

// ─── rules ───────────────────────────────────────────────────────────────────────────────────────

/**
 * A rule set as JSON, checked by the antifraud plugin's schema (every issue names its path,
 * `rules.2.when.all.1.value`) but kept as written: that is what is stored and compiled at decision time.
 */
export const rawRuleSet = z
  .array(z.unknown())
  .max(1000)
  .superRefine((rules, ctx) => {
    const parsed = ruleSetSchema.safeParse(rules);
    if (parsed.success) return;
    for (const issue of parsed.error.issues) {
      ctx.addIssue({ code: 'custom', path: issue.path as (string | number)[], message: issue.message });
    }
  });

export const putRulesBody = z.strictObject({
  rules: rawRuleSet,
  expected_version: z
    .number()
    .int()
    .min(0)
    // versions are 32-bit integers in the store (and the next one must fit): larger is a 400, not a 500
    .max(2 ** 31 - 2)
    .optional()
    .describe('The version this change is based on (0: none yet). A different stored version is a 409.'),
});

export const addRuleBody = z.strictObject({ rule: z.unknown() });
export const ruleIdParams = z.strictObject({ id: z.string().min(1).max(64) });

export const ruleSetResponse = z
  .object({
    object: z.literal('antifraud_rules'),
    version: z.number().int(),
    rules: z.array(z.unknown()),
    updated_at: z.string().nullable(),
    updated_by: z.string().nullable(),
  })
  .meta({ id: 'AntifraudRules' });

// ─── audit ───────────────────────────────────────────────────────────────────────────────────────

export const auditQuery = z.strictObject({
  limit: limitSchema,
  starting_after: z.string().max(64).optional(),
});

export const auditRecordSchema = z.object({
  id: z.string(),
  object: z.literal('antifraud_audit_record'),
  actor: z.string(),
  action: z.string(),
  object_id: z.string(),
  before: z.unknown(),
  after: z.unknown(),
  created_at: z.string(),
});

export const auditListSchema = z.object({
  object: z.literal('list'),
  data: z.array(auditRecordSchema),
  has_more: z.boolean(),
  next_cursor: z.string().optional(),
});

export function auditResource(a: AntifraudAuditRecord) {
  return {
    id: a.id,
    object: 'antifraud_audit_record' as const,
    actor: a.actor,
    action: a.action,
    object_id: a.objectId,
    before: a.before ?? null,
    after: a.after ?? null,
    created_at: a.createdAt.toISOString(),
  };
}

// ─── feedback and backtest ─────────────────────────────────────────────────────────────────────────

/** `POST /v1/payments/:id/fraud_report`: what a merchant knows about a payment that turned out fraudulent. */
export const paymentFraudReportBody = z
  .strictObject({
    source: z
      .enum(['merchant', 'chargeback'], { error: 'source must be "merchant" or "chargeback"' })
      .default('merchant')
      .describe('"merchant": your own finding; "chargeback": the card network reported it.'),
    note: z.string().max(500).nullish(),
    block_card: z
      .boolean()
      .optional()
      .describe('Add the payment’s card fingerprint to the block list (default: your feedback settings).'),
    block_email: z
      .boolean()
      .optional()
      .describe('Add the buyer’s email to the block list (default: your feedback settings).'),
  })
  .nullish();

export const fraudReportBody = z.strictObject({
  payment_id: z.string().min(1).max(64),
  source: z
    .enum(['merchant', 'chargeback'], { error: 'source must be "merchant" or "chargeback"' })
    .default('merchant'),
  note: z.string().max(500).nullish(),
  block_card: z.boolean().optional().describe('Add the payment’s card fingerprint to the block list.'),
  block_email: z.boolean().optional().describe('Add the buyer’s email to the block list.'),
});

export const fraudReportSchema = z.object({
  object: z.literal('fraud_report'),
  payment_id: z.string(),
  source: z
    .enum(['merchant', 'chargeback'])
    .describe('The first report’s source (a repeat changes nothing).'),
  created: z.boolean().describe('false when the payment was already marked.'),
  created_at: z.string(),
  blocked: z.array(listEntrySchema),
});

export const feedbackSettingsBody = z.strictObject({
  auto_block_card: z.boolean().describe('Every fraud report blocks the payment’s card fingerprint.'),
  auto_block_email: z.boolean().describe('Every fraud report blocks the buyer’s email.'),
  ttl: z
    .string()
    .refine(
      (v) => {
        const ms = parseDuration(v);
        return ms !== undefined && ms >= 60_000 && ms <= 3650 * 86_400_000;
      },
      { error: 'ttl must be a duration from "1m" to "3650d", such as "30d" or "12h"' },
    )
    .nullish()
    .describe('How long automatic block entries last; null or absent: until removed.'),
});

export const feedbackSettingsSchema = z
  .object({
    object: z.literal('antifraud_feedback'),
    auto_block_card: z.boolean(),
    auto_block_email: z.boolean(),
    ttl_seconds: z.number().int().nullable(),
    updated_at: z.string().nullable(),
    updated_by: z.string().nullable(),
  })
  .meta({ id: 'AntifraudFeedback' });

export const backtestBody = z.strictObject({
  rules: rawRuleSet,
  from: timestampSchema('from'),
  to: timestampSchema('to'),
  include_lists: z.boolean().default(true).describe('Also apply the merchant’s current lists.'),
});

const counts = z.object({ allow: z.number(), review: z.number(), challenge: z.number(), deny: z.number() });

export const backtestSchema = z
  .object({
    object: z.literal('backtest'),
    from: z.string(),
    to: z.string(),
    payments: z.number(),
    candidate: counts,
    actual: counts.extend({ none: z.number() }),
    changed: z.number(),
    known_fraud: z.object({ total: z.number(), caught: z.number(), denied: z.number(), missed: z.number() }),
    false_positives: z.number(),
    false_reviews: z.number(),
    examples: z.array(
      z.object({
        payment_id: z.string(),
        actual: z.enum(['allow', 'review', 'challenge', 'deny']).nullable(),
        candidate: z.enum(['allow', 'review', 'challenge', 'deny']),
        reasons: z.array(z.string()),
      }),
    ),
  })
  .meta({ id: 'Backtest' });
