import type { Mode } from '../payments';
import type { Page } from './store';

export type AntifraudListName = 'allow' | 'block';
export type AntifraudListKind = 'card_fingerprint' | 'email' | 'email_domain' | 'ip' | 'iin';

/** One entry of a merchant's allow or block list, in one mode. */
export interface AntifraudListEntry {
  id: string;
  merchantId: string;
  mode: Mode;
  list: AntifraudListName;
  kind: AntifraudListKind;
  /** Normalised by the API: lowercase emails and domains, canonical IPs / CIDR ranges, 1–6 digit IINs. */
  value: string;
  /** After this instant the entry no longer matches; null: never expires. */
  expiresAt: Date | null;
  note: string | null;
  createdAt: Date;
  /** Who added it: an API key id, or `system:<what>` for automatic entries (fraud feedback). */
  createdBy: string;
}

/** A merchant's declarative rules in one mode, replaced as a whole and versioned. */
export interface AntifraudRuleSet {
  merchantId: string;
  mode: Mode;
  /** The rules as JSON, validated by the antifraud plugin's schema before they are stored. */
  rules: unknown[];
  /** 1 for the first stored set, +1 per change. */
  version: number;
  updatedAt: Date;
  updatedBy: string;
}

/** Who changed what in a merchant's antifraud configuration; written with the change it records. */
export interface AntifraudAuditRecord {
  id: string;
  merchantId: string;
  mode: Mode;
  /** An API key id, or `system:<what>`. */
  actor: string;
  /** e.g. `list_entry.upserted`, `list_entry.deleted`, `rules.replaced`, `payment.marked_fraud`. */
  action: string;
  /** The list entry id, `rules`, or the payment id. */
  objectId: string;
  before: unknown;
  after: unknown;
  createdAt: Date;
}

export type FraudMarkSource = 'merchant' | 'chargeback';

/** A merchant's statement that a payment was fraudulent (feedback for lists and backtests). */
export interface FraudMark {
  paymentId: string;
  merchantId: string;
  mode: Mode;
  /** Who said so: the merchant's own mark, or a chargeback the merchant reported. */
  source: FraudMarkSource;
  actor: string;
  note: string | null;
  createdAt: Date;
}

/** What a fraud report does to the merchant's block list, per merchant and mode (`feedback` settings). */
export interface AntifraudFeedbackSettings {
  merchantId: string;
  mode: Mode;
  /** Block the payment's card fingerprint on every fraud report (unless the report says otherwise). */
  autoBlockCard: boolean;
  /** Block the buyer's email on every fraud report (unless the report says otherwise). */
  autoBlockEmail: boolean;
  /** How long automatic block entries last, in seconds; null: until removed. */
  ttlSeconds: number | null;
  updatedAt: Date;
  updatedBy: string;
}

/**
 * Per-merchant antifraud configuration (lists, rules), its audit trail and fraud feedback. Every write
 * stores its audit record in the same atomic write.
 */
export interface AntifraudConfigRepository {
  /**
   * Adds an entry, or updates `expiresAt` and `note` of the entry with the same merchant, mode, list, kind
   * and value (which keeps its id). Returns the stored entry. The audit record gets the previous entry
   * (or null) as `before` and the stored one as `after`.
   */
  upsertListEntry(args: {
    entry: AntifraudListEntry;
    audit: AntifraudAuditRecord;
  }): Promise<AntifraudListEntry>;
  /** Deletes the entry if it belongs to this merchant and mode; the deleted entry, or null. */
  deleteListEntry(args: {
    merchantId: string;
    mode: Mode;
    id: string;
    audit: AntifraudAuditRecord;
  }): Promise<AntifraudListEntry | null>;
  /** Newest first; expired entries included (they are history). */
  listListEntries(args: {
    merchantId: string;
    mode: Mode;
    limit: number;
    startingAfter?: string;
    list?: AntifraudListName;
    kind?: AntifraudListKind;
  }): Promise<Page<AntifraudListEntry>>;
  /** Every entry not expired at `now` (what the engine compiles). */
  liveListEntries(args: { merchantId: string; mode: Mode; now: Date }): Promise<AntifraudListEntry[]>;
  getRuleSet(args: { merchantId: string; mode: Mode }): Promise<AntifraudRuleSet | null>;
  /**
   * Stores the rule set if the stored version is still `expectedVersion` (0: none stored yet). The new
   * set's `version` must be `expectedVersion + 1`.
   */
  putRuleSet(args: {
    ruleSet: AntifraudRuleSet;
    expectedVersion: number;
    audit: AntifraudAuditRecord;
  }): Promise<{ ok: true } | { ok: false; reason: 'version_conflict' }>;
  /** Records an action that changes no antifraud table (a review approved or rejected). */
  appendAudit(args: { audit: AntifraudAuditRecord }): Promise<void>;
  /** Newest first. */
  listAudit(args: {
    merchantId: string;
    mode: Mode;
    limit: number;
    startingAfter?: string;
  }): Promise<Page<AntifraudAuditRecord>>;
  /** Records the mark once per payment: a repeat returns the first mark and `created: false`. */
  markFraud(args: {
    mark: FraudMark;
    audit: AntifraudAuditRecord;
  }): Promise<{ created: boolean; mark: FraudMark }>;
  /** The merchant's fraud-feedback settings in this mode, or null when never set (nothing auto-blocked). */
  getFeedbackSettings(args: { merchantId: string; mode: Mode }): Promise<AntifraudFeedbackSettings | null>;
  /** Replaces them; the audit record gets the previous settings (or null) and the new ones. */
  putFeedbackSettings(args: {
    settings: AntifraudFeedbackSettings;
    audit: AntifraudAuditRecord;
  }): Promise<void>;
  /** The marks of these payments (of this merchant and mode) that exist. */
  listFraudMarks(args: {
    merchantId: string;
    mode: Mode;
    paymentIds: readonly string[];
  }): Promise<FraudMark[]>;
}
